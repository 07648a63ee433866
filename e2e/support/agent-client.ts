import { WebSocket } from 'ws';
import type { Message } from '@chat/protocol';

/**
 * The part of `@chat/client`'s ChatClient that an agent in the test process uses. Declared here,
 * and the class loaded through a computed specifier, because the client's source needs the DOM
 * library: the root tsconfig checks it with its own config and checks e2e without the DOM, so a
 * static import would pull the client into e2e's check and fail it.
 */
export interface AgentClient {
  readonly closeReason: string | null;
  start(): void;
  stop(): void;
  join(conversationId: string): void;
  getConversation(conversationId: string): { readonly joined: boolean };
  on(event: 'message', handler: (message: Message) => void): () => void;
  on(event: 'stream_stop', handler: (stop: { message_id: string }) => void): () => void;
  startStream(conversationId: string, options?: { body?: string; replyTo?: string | null }): Promise<Message>;
  streamMessage(messageId: string, body: string): void;
  endStream(messageId: string, body: string, state?: 'complete' | 'stopped'): Promise<void>;
  setAgentStatus(conversationId: string, status: 'thinking' | 'working' | 'idle', detail?: string): void;
}

interface ClientModule {
  ChatClient: new (options: { url: string; apiKey: string; WebSocket: typeof WebSocket }) => AgentClient;
}

/** Not a literal: TypeScript does not follow it (see AgentClient). */
const CLIENT_MODULE: string = '@chat/client';

/** A ChatClient that signs in with an agent's API key, over Node's `ws`. */
export async function agentClient(url: string, apiKey: string): Promise<AgentClient> {
  const { ChatClient } = (await import(CLIENT_MODULE)) as ClientModule;
  return new ChatClient({ url, apiKey, WebSocket });
}
