import { useCallback, useSyncExternalStore } from 'react';

/** `#/c/<id>` opens a conversation; anything else is the list. Hash routes need no server support. */
const CONVERSATION_ROUTE = /^#\/c\/([0-9a-f-]{36})$/iu;

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function selectedFromHash(): string | null {
  return CONVERSATION_ROUTE.exec(window.location.hash)?.[1]?.toLowerCase() ?? null;
}

export function conversationHref(conversationId: string): string {
  return `#/c/${conversationId}`;
}

/** The open conversation (from the URL), and navigation that the browser's Back button undoes. */
export function useHashRoute() {
  const selectedId = useSyncExternalStore(subscribe, selectedFromHash, () => null);
  const open = useCallback((conversationId: string) => {
    window.location.hash = conversationHref(conversationId);
  }, []);
  const close = useCallback(() => {
    window.location.hash = '#/';
  }, []);
  return { selectedId, open, close };
}
