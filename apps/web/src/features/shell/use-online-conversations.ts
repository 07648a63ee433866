import { useCallback, useMemo, useSyncExternalStore } from 'react';
import type { ChatClient } from '@chat/client';

const NONE = '';

/**
 * Ids of conversations where another member is online now (presence comes with the joins the
 * list makes). The snapshot is a string, so React re-renders only when the set changes.
 */
export function useOnlineConversations(client: ChatClient | null, myUserId: string): ReadonlySet<string> {
  const subscribe = useCallback(
    (onChange: () => void) => client?.subscribe(onChange) ?? (() => undefined),
    [client],
  );
  const snapshot = useCallback(() => {
    if (!client) return NONE;
    const online: string[] = [];
    for (const conversation of client.getConversations()) {
      const members = client.getConversation(conversation.id).members;
      if (members.some((m) => m.user_id !== myUserId && m.online)) online.push(conversation.id);
    }
    return online.join(',');
  }, [client, myUserId]);
  const ids = useSyncExternalStore(subscribe, snapshot, () => NONE);
  return useMemo(() => new Set(ids === NONE ? [] : ids.split(',')), [ids]);
}
