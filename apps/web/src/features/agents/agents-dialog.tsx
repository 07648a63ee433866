import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Agent, CreateAgentRequest } from '@chat/protocol';
import { ModalDialog } from '../../components/ui/modal-dialog';
import { DialogHeader } from '../../components/ui/dialog-header';
import type { AgentsApi } from './agents-api';
import { errorText } from './agents-api';
import { AgentCard } from './agent-card';
import { CreateAgentForm } from './create-agent-form';
import { OneTimeSecret } from './one-time-secret';
import type { Secret } from './one-time-secret';

interface Reveal {
  title: string;
  secrets: Secret[];
}

/**
 * "Agents": the agents I own (section 14). Create one (its key and webhook secret are shown once),
 * set or remove its webhook, rotate its key (the new key shown once), delete it. A modal dialog
 * like Details: Escape, a click outside or "Done" closes it, and focus goes back to "Agents";
 * while a key or secret shows, only "Done" does.
 */
export function AgentsDialog({ api, onClose }: { api: AgentsApi; onClose: () => void }) {
  const headingId = useId();
  const body = useRef<HTMLDivElement>(null);
  const [agents, setAgents] = useState<readonly Agent[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [reveal, setReveal] = useState<Reveal | null>(null);

  useEffect(() => {
    let current = true;
    api
      .list()
      .then((list) => {
        if (current) setAgents(list);
      })
      .catch((error: unknown) => {
        if (current) setLoadError(errorText(error, 'Could not load your agents.'));
      });
    return () => {
      current = false;
    };
  }, [api]);

  const create = useCallback(
    async (request: CreateAgentRequest) => {
      const created = await api.create(request);
      setAgents((list) => [...(list ?? []), created.agent]);
      setCreating(false);
      setReveal({
        title: `${created.agent.display_name} is ready`,
        secrets: [
          { label: 'API key', value: created.api_key },
          { label: 'Webhook secret', value: created.webhook_secret },
        ],
      });
    },
    [api],
  );

  const replace = useCallback(
    (agent: Agent) => setAgents((list) => list?.map((a) => (a.id === agent.id ? agent : a)) ?? null),
    [],
  );
  const rotated = useCallback((agent: Agent, apiKey: string) => {
    setReveal({ title: `New key for ${agent.display_name}`, secrets: [{ label: 'API key', value: apiKey }] });
  }, []);
  const deleted = useCallback(
    (agent: Agent) => setAgents((list) => list?.filter((a) => a.id !== agent.id) ?? null),
    [],
  );
  // After the secret is put away, focus goes somewhere that is still there.
  const dismissReveal = () => {
    setReveal(null);
    window.setTimeout(() => body.current?.querySelector<HTMLElement>('.agents__create')?.focus(), 0);
  };

  return (
    <ModalDialog
      labelledBy={headingId}
      onClose={onClose}
      className="dialog agents-dialog"
      // Not while a secret shows: a stray click or Escape must not lose it ("Done" still closes).
      dismissable={!reveal}
    >
      {(close) => (
        <>
          <DialogHeader headingId={headingId} title="Agents" onDone={close} doneClassName="agents__done" />
          <div ref={body} className="dialog__body agents">
            <p className="agents__intro">
              Agents are members that software drives: an assistant, a bot, an integration. Add one to a
              conversation like a person; it connects with its API key.
            </p>
            {reveal ? (
              <OneTimeSecret title={reveal.title} secrets={reveal.secrets} onDone={dismissReveal} />
            ) : creating ? (
              <CreateAgentForm onCreate={create} onCancel={() => setCreating(false)} />
            ) : (
              <button
                type="button"
                className="primary-button agents__create"
                onClick={() => setCreating(true)}
              >
                Create agent
              </button>
            )}
            {loadError ? (
              <p className="form-error" role="alert">
                {loadError}
              </p>
            ) : agents === null ? (
              <p className="agents__note" role="status">
                Loading…
              </p>
            ) : agents.length === 0 ? (
              <p className="agents__note">You have no agents yet.</p>
            ) : (
              <ul className="agents__list" aria-label="Your agents">
                {agents.map((agent) => (
                  <AgentCard
                    key={agent.id}
                    agent={agent}
                    api={api}
                    onChanged={replace}
                    onRotated={rotated}
                    onDeleted={deleted}
                  />
                ))}
              </ul>
            )}
          </div>
        </>
      )}
    </ModalDialog>
  );
}
