import type { Attachment, JoinedMember, Message, ServerFrameOf, User } from '@chat/protocol';
import type { Clock } from './clock';

/** The connection as a person sees it. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

/** Returns a FRESH access token (refreshed when near expiry), or null when signed out. */
export type TokenGetter = () => Promise<string | null>;

export interface BackoffOptions {
  /** First delay; doubles up to maxMs with full jitter. Default 500. */
  initialMs?: number;
  /** Default 30_000. */
  maxMs?: number;
  /** A connection open this long resets the backoff. Default 60_000. */
  stableAfterMs?: number;
  /** The least wait after a 4029 (flooding) close. Default 15_000. (Added by the client engineer.) */
  floodPauseMs?: number;
}

export interface HeartbeatOptions {
  /** Application ping interval. Default 15_000. */
  intervalMs?: number;
  /** No pong within this = dead socket. Default 10_000. */
  timeoutMs?: number;
}

/** Timings of typing indicators (added by the client engineer). */
export interface TypingOptions {
  /** While typing stays true, `typing` is re-sent this often (the server expires it after 6 s). Default 3_000. */
  refreshMs?: number;
  /** A typist heard nothing from for this long is dropped (a lost `is_typing:false`). Default 7_000. */
  expireMs?: number;
}

/**
 * The part of a WebSocket the client uses, declared structurally so that the
 * browser's WebSocket and `ws`'s both fit without a cast. (Widened by the client
 * engineer from `new (url) => WebSocket`, which `ws`'s class does not satisfy.)
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drop the TCP connection at once, without a closing handshake. */
  terminate?(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

/** Minimal WebSocket constructor shape: the browser's and `ws`'s both fit. */
export type WebSocketLike = new (url: string) => SocketLike;

export interface ChatClientOptions {
  /** ws:// or wss:// URL of the server's /ws endpoint. */
  url: string;
  /** A person's access token. May be omitted when `apiKey` is given. */
  getToken?: TokenGetter;
  /**
   * An agent's API key (v2 section 14): the socket authenticates with `authenticate {api_key}`
   * (no refresh: it does not expire) and REST calls send `Authorization: Bearer <apiKey>`.
   * Takes the place of `getToken`.
   */
  apiKey?: string;
  /** Defaults to globalThis.WebSocket. In Node pass `ws`'s WebSocket. */
  WebSocket?: WebSocketLike;
  /** Where unacked sends survive reloads. Defaults to memory; IndexedDB in browsers. */
  outbox?: OutboxStore;
  backoff?: BackoffOptions;
  heartbeat?: HeartbeatOptions;
  /**
   * Base URL of the REST API (`${apiUrl}/api/...`). Default: derived from `url`
   * (ws -> http, wss -> https, a trailing /ws removed). (Added by the client engineer.)
   */
  apiUrl?: string;
  /** The fetch used for REST. Default globalThis.fetch. (Added by the client engineer.) */
  fetch?: typeof fetch;
  /** Socket open plus `authenticated` must take less than this, else retry. Default 15_000. (Added.) */
  handshakeTimeoutMs?: number;
  typing?: TypingOptions;
  /**
   * Every timer of the client (backoff, handshake, heartbeat, token refresh,
   * typing, rate-limit pauses) runs on it. Default: the runtime's timers. Tests
   * pass a manual clock to move time on at will.
   */
  clock?: Clock;
  /**
   * The largest file `upload` and `send` accept, refused with `too_large` before any byte
   * goes out (the server's MAX_ATTACHMENT_BYTES). Default 25 MiB.
   */
  maxUploadBytes?: number;
  /**
   * Whether the page is in view (v2 section 13): sent as `client_state {visible}` after each
   * authentication and on every change, so the server pushes only while no page is in view.
   * Default: the browser's `document.visibilityState` where there is a document; in Node none,
   * and nothing is sent (a connection that never says counts as visible). `null`: never send.
   */
  pageVisibility?: PageVisibility | null;
}

/** Whether the page is in view, and its changes (added for notifications). */
export interface PageVisibility {
  isVisible(): boolean;
  /** Calls `listener` on each change; returns the function that stops listening. */
  watch(listener: (visible: boolean) => void): () => void;
}

/** A send not yet acknowledged by the server. */
export interface PendingMessage {
  client_id: string;
  conversation_id: string;
  body: string;
  reply_to: string | null;
  /** Members mentioned (v2 section 10); absent in outboxes written before mentions. */
  mentions?: string[];
  /** Sent with `streaming: true` (v2 section 14): stored as `streaming`, the body may be empty. */
  streaming?: boolean;
  created_at: string;
  /** Files going with it (v2 section 11); absent when none. */
  attachments?: PendingAttachment[];
  /** 'sending' while it may still land; 'failed' after a refusal (the user can retry). */
  state: 'sending' | 'failed';
  /**
   * Why it failed; on a 'sending' one, why its files could not be uploaded yet (`network`:
   * offline; they are tried again on the next connection or on `retry`).
   */
  error?: { code: string; message: string };
}

/** A file of a pending message: its bytes until uploaded, then the server's Attachment. */
export interface PendingAttachment {
  /** This client's id for it (stable across reloads). */
  local_id: string;
  name: string;
  /** The file's own MIME type ('' when unknown). */
  type: string;
  size: number;
  /** The bytes, kept (in the outbox's store too) until the upload succeeded. */
  file?: Blob;
  /** Set once uploaded: the id goes in `attachment_ids`. */
  attachment?: Attachment;
  /** Upload progress 0..1 while uploading (memory only). */
  progress?: number;
}

/** A file to upload: a Blob, or a File (whose `name` is used). */
export type UploadFile = Blob & { name?: string };

export interface UploadOptions {
  /** The file name sent (`?name=`); default the File's own. */
  name?: string;
  /** Bytes sent so far, and the total. */
  onProgress?: (loaded: number, total: number) => void;
  /** Aborting rejects with a ChatError `aborted`. */
  signal?: AbortSignal;
}

/** Durable storage of unacked sends, keyed by client_id. */
export interface OutboxStore {
  load(): Promise<PendingMessage[]>;
  put(message: PendingMessage): Promise<void>;
  delete(clientId: string): Promise<void>;
}

/** Everything a chat window needs of one conversation. */
export interface ConversationView {
  conversationId: string;
  /** Whether the server has answered this connection's join. */
  joined: boolean;
  /** Stored messages in seq order, one per id. */
  messages: readonly Message[];
  /** Unacked sends of this user, oldest first. */
  pending: readonly PendingMessage[];
  members: readonly JoinedMember[];
  /** User ids typing now (never the current user). */
  typingUserIds: readonly string[];
  /**
   * Highest updated_seq held. A resume starts where the conversation's stream
   * reached, which an ack or a history page can have passed.
   */
  lastSeq: number;
  /** Whether older history exists beyond `messages`. */
  hasMoreBefore: boolean;
  /** Why the last join was refused (`forbidden`, `not_found`), else null. (Added by the client engineer.) */
  error: { code: string; message: string } | null;
  /**
   * v2 section 14: message id -> the latest relayed text (`message_stream`) of a message still
   * `streaming`. Show `streams[m.id] ?? m.body` while `m.state === 'streaming'`. Entries go when
   * the message's `completed` update arrives, on leave and on reconnect.
   */
  streams: Readonly<Record<string, string>>;
  /**
   * v2 section 14: what other members (agents) are doing, non-idle only. An `idle` removes the
   * entry; an entry not refreshed for 65 s expires here too; all are cleared on reconnect.
   */
  agentStatuses: readonly AgentStatusEntry[];
}

/** One member's `agent_status` (v2 section 14), as a conversation's view holds it. */
export interface AgentStatusEntry {
  user_id: string;
  status: 'thinking' | 'working';
  detail: string | null;
}

/** `stream_stop` (v2 section 14): a member asked this user's streaming message to stop. */
export interface StreamStop {
  conversation_id: string;
  message_id: string;
  /** Who asked. */
  by: string;
}

export interface ChatClientEvents {
  status: ConnectionStatus;
  authenticated: User;
  conversation: ServerFrameOf<'conversation'>['conversation'];
  /** An `error` frame no pending request was waiting for. */
  error: ServerFrameOf<'error'>;
  /** A new message from another user in a joined conversation (for notifications). (Added.) */
  message: Message;
  /** The user stopped being a member (removed, or left from any device): the id. */
  conversation_removed: string;
  /** v2 section 14: one of this user's streaming messages was asked to stop (by any member). */
  stream_stop: StreamStop;
}
