import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { Conversation } from '@chat/protocol';
import type { ChatClient } from '@chat/client';

/**
 * The signed-in user's conversations, newest first, live: loaded on mount (and
 * after every reconnect), joined while mounted so new messages, reads and new
 * conversations update it. `client.conversationsLoaded` tells an empty list
 * from one not loaded yet; `client.loadConversations()` reloads and rejects
 * with a ChatError on failure.
 */
export function useConversationList(client: ChatClient): readonly Conversation[] {
  useEffect(() => client.watchConversations(), [client]);
  const subscribe = useCallback((onChange: () => void) => client.subscribe(onChange), [client]);
  const snapshot = useCallback(() => client.getConversations(), [client]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
