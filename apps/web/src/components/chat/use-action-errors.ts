import { useCallback, useEffect, useState } from 'react';

/** How long an error notice stays. */
const SHOW_MS = 5000;

const VERB: Record<string, string> = {
  send: 'send the message',
  edit: 'edit the message',
  unsend: 'unsend the message',
  react: 'add the reaction',
  load: 'load earlier messages',
  stop: 'stop the answer',
};

function explain(action: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const what = VERB[action] ?? action;
  if (code === 'conflict') {
    if (action === 'edit') return 'This message can no longer be edited.';
    if (action === 'unsend') return 'This message can no longer be unsent.';
    if (action === 'stop') return 'This answer has already ended.';
  }
  if (code === 'disconnected' || code === 'network')
    return `Couldn’t ${what}: you’re offline. Try again when reconnected.`;
  if (code === 'rate_limited') return `Couldn’t ${what}: slow down a little and try again.`;
  if (code === 'forbidden') return `You can’t ${what}.`;
  const message = error instanceof Error ? error.message : '';
  return message ? `Couldn’t ${what}: ${message}` : `Couldn’t ${what}.`;
}

/** A transient notice for an action the server refused (edit window passed, offline...). */
export function useActionErrors() {
  const [current, setCurrent] = useState<string | null>(null);
  const report = useCallback((action: string, error: unknown) => setCurrent(explain(action, error)), []);
  const dismiss = useCallback(() => setCurrent(null), []);
  useEffect(() => {
    if (current === null) return;
    const timer = window.setTimeout(() => setCurrent(null), SHOW_MS);
    return () => window.clearTimeout(timer);
  }, [current]);
  return { current, report, dismiss };
}
