import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { ChatClient, ConversationView } from '@chat/client';

/**
 * One conversation, live: joins it on mount (and after every reconnect, which the
 * client does), leaves on unmount, and returns its view. The view keeps its
 * identity until something in that conversation changes.
 */
export function useConversation(client: ChatClient, conversationId: string): ConversationView {
  useEffect(() => {
    client.join(conversationId);
    return () => client.leave(conversationId);
  }, [client, conversationId]);
  const subscribe = useCallback((onChange: () => void) => client.subscribe(onChange), [client]);
  const snapshot = useCallback(() => client.getConversation(conversationId), [client, conversationId]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
