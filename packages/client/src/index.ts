export { ChatClient } from './chat-client';
export { ChatError } from './errors';
export type { ChatErrorCode } from './errors';
export { ChatApi, apiUrlFromWsUrl } from './rest-api';
export type { ChatApiOptions } from './rest-api';
export { createMemoryOutbox } from './outbox';
export { DEFAULT_MAX_UPLOAD_BYTES } from './upload';
export { createIndexedDbOutbox } from './indexeddb-outbox';
export { documentVisibility } from './browser-signals';
export type { Clock } from './clock';
export { systemClock } from './clock';
export { Backoff } from './backoff';
export type { BackoffConfig } from './backoff';
export { tokenExpiry, refreshDelayMs } from './token';
export { ConversationStore } from './conversation-store';
export { ConversationList } from './conversation-list';
export type {
  AgentStatusEntry,
  BackoffOptions,
  ChatClientEvents,
  ChatClientOptions,
  ConnectionStatus,
  ConversationView,
  HeartbeatOptions,
  OutboxStore,
  PendingAttachment,
  PageVisibility,
  PendingMessage,
  SocketLike,
  StreamStop,
  TokenGetter,
  TypingOptions,
  UploadFile,
  UploadOptions,
  WebSocketLike,
} from './types';
