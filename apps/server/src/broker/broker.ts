/**
 * Fan-out between server processes. Everything that reaches other connections
 * goes through a broker topic, so no code outside a broker assumes one process:
 * the in-process broker serves one server, a Redis broker several.
 *
 * Topics: `conversationTopic(id)` carries a conversation's events to the
 * processes holding joined connections; `userTopic(id)` carries events for every
 * connection of one user (new conversations).
 */
export interface Broker {
  publish(topic: string, event: BrokerEvent): Promise<void>;
  /** Resolves once the subscription is live: events published after that are delivered. */
  subscribe(topic: string, listener: (event: BrokerEvent) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
  /** Why events may not be reaching other processes now (Redis away), or null when they are. */
  problem?(): string | null;
  /**
   * Calls `listener` each time the broker is back in step after an outage
   * (subscriptions live again): whatever was published meanwhile was missed, so
   * receivers re-read what they hold from storage. Returns the way to stop.
   */
  onResubscribed?(listener: () => void): () => void;
}

export type Unsubscribe = () => Promise<void>;

/**
 * `frame` is the serialised server frame, made once by the publisher and sent as
 * is to every recipient. The other fields let a receiver route it without parsing.
 */
export type BrokerEvent =
  /** A persisted change (message or message_updated) with its place in the conversation's counter. */
  | { kind: 'change'; seq: number; type: 'message' | 'message_updated'; frame: string }
  /** typing, presence and (section 14) agent_status: to joined connections of users other than `userId`. */
  | { kind: 'others'; userId: string; type: 'typing' | 'presence' | 'agent_status'; frame: string }
  /**
   * Section 14: message_stream, the latest text of message `messageId`: to every
   * joined connection but `connectionId` (the one streaming it). Not stored, no seq.
   */
  | { kind: 'stream'; messageId: string; connectionId: string; type: 'message_stream'; frame: string }
  /**
   * Section 14, on the sender's user topic: stream_stop, to each of their
   * connections; the process that owns the stream starts its stop grace.
   */
  | { kind: 'stop'; messageId: string; type: 'stream_stop'; frame: string }
  /** read: to every joined connection. */
  | { kind: 'all'; type: 'read'; frame: string }
  /** conversation: to every connection of the topic's user. */
  | { kind: 'user'; type: 'conversation'; frame: string }
  /**
   * The topic's user is no longer a member of `conversationId`: each of their
   * connections leaves it (`left` with reason `removed` where joined), then gets
   * `frame` (`conversation_removed`).
   */
  | { kind: 'removed'; conversationId: string; type: 'conversation_removed'; frame: string }
  /**
   * Section 14: the topic's user (an agent) lost its credential (key replaced,
   * agent deleted): each of their connections gets `frame` (`error`
   * `unauthorized`), then closes with 4001, but those signed in with the key
   * whose hash is `keptKeyHash` (the replacement, already in use).
   */
  | { kind: 'revoked'; keptKeyHash: string | null; type: 'error'; frame: string };

export type ChangeEvent = Extract<BrokerEvent, { kind: 'change' }>;

export const conversationTopic = (conversationId: string) => `conv:${conversationId}`;
export const userTopic = (userId: string) => `user:${userId}`;
