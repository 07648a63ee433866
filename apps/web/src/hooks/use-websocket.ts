/**
 * React bindings of the chat client (`@chat/client`): thin hooks over one
 * ChatClient per signed-in session. All state lives in the client; React reads
 * it through `useSyncExternalStore` snapshots that keep their identity until
 * they change.
 *
 *   useWebSocket(options: UseWebSocketOptions): UseWebSocketResult
 *     options: { url, getToken, userId, WebSocket?, outbox?, clientOptions? }
 *     One client per (url, userId): a new inline options object or a new
 *     getToken function does not reconnect (getToken is read through a ref).
 *     Started on mount, stopped (close 1000) on unmount.
 *     result: {
 *       status: ConnectionStatus            'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed'
 *       client: ChatClient                  stable for the session
 *       joinConversation(id): void          counted; re-joined after every reconnect
 *       leaveConversation(id): void
 *       sendChatMessage(conversationId, body, { replyTo?, mentions? }?): PendingMessage   (throws ChatError bad_request)
 *       sendTyping(conversationId, isTyping): void
 *       markRead(conversationId, seq): Promise<void>
 *       editMessage(messageId, body): Promise<void>
 *       unsendMessage(messageId): Promise<void>
 *       react(messageId, reaction: string | null): Promise<void>
 *       retry(clientId): void               resend a failed message
 *       discard(clientId): void             drop an unsent message
 *     }
 *     Groups, settings and search are the client's own (`client.rename`, `addMembers`,
 *     `removeMember`, `leaveGroup`, `changeRole`, `updateSettings`, `search`, `loadUntil`).
 *     The promises reject with a ChatError ({ code, message }); `disconnected` when the socket
 *     was not open or died first (not resent: retry if wanted).
 *     `client.start()` is a "Reconnect now": it skips a backoff wait, and restarts a client that
 *     is 'closed' (signed out, token refused: `client.closeReason` says why).
 *
 *   useConversation(client, conversationId): ConversationView          (./use-conversation)
 *     Joins on mount, leaves on unmount; the view of one conversation.
 *   useConversationList(client): readonly Conversation[]               (./use-conversation-list)
 *     Loads the list, keeps it live and joins its conversations while mounted.
 *   useConnectionStatus(client): ConnectionStatus                      (this file)
 */
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { ChatClient, createIndexedDbOutbox } from '@chat/client';
import type {
  ChatClientOptions,
  ConnectionStatus,
  OutboxStore,
  PendingMessage,
  TokenGetter,
  WebSocketLike,
} from '@chat/client';

export { useConversation } from './use-conversation';
export { useConversationList } from './use-conversation-list';

export interface UseWebSocketOptions {
  /** ws:// or wss:// URL of the server's /ws. */
  url: string;
  /** Returns a fresh access token, or null when signed out. Read through a ref: may change freely. */
  getToken: TokenGetter;
  /** The signed-in user: a new user means a new client. */
  userId: string;
  /** Default: the browser's WebSocket. Tests pass `ws`'s. Read once per client. */
  WebSocket?: WebSocketLike;
  /** Default: IndexedDB (`chat-outbox:<userId>`) where available, else memory. Read once per client. */
  outbox?: OutboxStore;
  /** Any other ChatClient option (backoff, heartbeat, apiUrl, ...). Read once per client. */
  clientOptions?: Partial<Omit<ChatClientOptions, 'url' | 'getToken' | 'WebSocket' | 'outbox'>>;
}

export interface UseWebSocketResult {
  status: ConnectionStatus;
  client: ChatClient;
  joinConversation(conversationId: string): void;
  leaveConversation(conversationId: string): void;
  sendChatMessage(
    conversationId: string,
    body: string,
    options?: { replyTo?: string | null; mentions?: readonly string[] },
  ): PendingMessage;
  sendTyping(conversationId: string, isTyping: boolean): void;
  markRead(conversationId: string, seq: number): Promise<void>;
  editMessage(messageId: string, body: string): Promise<void>;
  unsendMessage(messageId: string): Promise<void>;
  react(messageId: string, reaction: string | null): Promise<void>;
  retry(clientId: string): void;
  discard(clientId: string): void;
}

function defaultOutbox(userId: string): OutboxStore | undefined {
  return typeof indexedDB === 'undefined' ? undefined : createIndexedDbOutbox(`chat-outbox:${userId}`);
}

/** Holds the latest TokenGetter for a client made once. */
class LatestTokenGetter {
  constructor(private current: TokenGetter) {}
  use(getToken: TokenGetter): void {
    this.current = getToken;
  }
  readonly getToken: TokenGetter = () => this.current();
}

function newSession(key: string, options: UseWebSocketOptions) {
  const tokens = new LatestTokenGetter(options.getToken);
  const outbox = options.outbox ?? defaultOutbox(options.userId);
  const client = new ChatClient({
    ...options.clientOptions,
    url: options.url,
    getToken: tokens.getToken,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    ...(outbox ? { outbox } : {}),
  });
  return { key, client, tokens };
}

/** The connection status of a client, re-rendering only when it changes. */
export function useConnectionStatus(client: ChatClient): ConnectionStatus {
  const subscribe = useMemo(() => (onChange: () => void) => client.on('status', onChange), [client]);
  return useSyncExternalStore(
    subscribe,
    () => client.status,
    () => client.status,
  );
}

/** One ChatClient per signed-in session, connected while mounted. See the top of this file. */
export function useWebSocket(options: UseWebSocketOptions): UseWebSocketResult {
  const key = `${options.url}\n${options.userId}`;

  // Made during render (its constructor opens nothing), replaced only when the key changes.
  const [session, setSession] = useState(() => newSession(key, options));
  if (session.key !== key) setSession(newSession(key, options));
  const { client, tokens } = session;

  // The latest getToken, asked whenever the client (re)authenticates: a new function never reconnects.
  useEffect(() => {
    tokens.use(options.getToken);
  });

  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  const status = useConnectionStatus(client);
  const actions = useMemo(
    () => ({
      joinConversation: (conversationId: string) => client.join(conversationId),
      leaveConversation: (conversationId: string) => client.leave(conversationId),
      sendChatMessage: (
        conversationId: string,
        body: string,
        sendOptions?: { replyTo?: string | null; mentions?: readonly string[] },
      ) => client.send(conversationId, body, sendOptions),
      sendTyping: (conversationId: string, isTyping: boolean) => client.setTyping(conversationId, isTyping),
      markRead: (conversationId: string, seq: number) => client.markRead(conversationId, seq),
      editMessage: (messageId: string, body: string) => client.edit(messageId, body),
      unsendMessage: (messageId: string) => client.unsend(messageId),
      react: (messageId: string, reaction: string | null) => client.react(messageId, reaction),
      retry: (clientId: string) => client.retry(clientId),
      discard: (clientId: string) => client.discard(clientId),
    }),
    [client],
  );
  return useMemo(() => ({ status, client, ...actions }), [status, client, actions]);
}
