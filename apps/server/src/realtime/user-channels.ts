import { userTopic, type Broker, type Unsubscribe } from '../broker/broker';
import type { Logger } from '../logger';
import type { Recipient } from './recipient';

/**
 * A user's connections on this process: one alone (most users), else a Set;
 * a Set each cost every idle connection ~150 bytes (issue 13).
 */
interface UserEntry {
  recipients: Recipient | Set<Recipient>;
  /** The way to end the topic's subscription; while it is being made, the promise of it (a promise kept by every idle socket cost it 48 bytes). */
  unsubscribe: Promise<Unsubscribe | null> | Unsubscribe | null;
}

/**
 * Every authenticated connection of a user on this process, reached through the
 * user's broker topic (a new conversation reaches all of its members' devices).
 */
export class UserChannels {
  private readonly users = new Map<string, UserEntry>();

  constructor(
    private readonly deps: {
      broker: Broker;
      log: Logger;
      /** Section 14: someone asked the user to stop streaming `messageId` (stream-registry.ts). */
      onStreamStop?: (messageId: string) => void;
    },
  ) {}

  /** The user's authenticated connections on this process. */
  connectionCount(userId: string): number {
    const recipients = this.users.get(userId)?.recipients;
    if (recipients === undefined) return 0;
    return recipients instanceof Set ? recipients.size : 1;
  }

  async add(recipient: Recipient, userId: string): Promise<void> {
    const existing = this.users.get(userId);
    if (existing) {
      const held = existing.recipients;
      if (held instanceof Set) held.add(recipient);
      else if (held !== recipient) existing.recipients = new Set([held, recipient]);
      if (existing.unsubscribe instanceof Promise) await existing.unsubscribe;
      return;
    }
    const entry: UserEntry = { recipients: recipient, unsubscribe: null };
    const subscribing = this.deps.broker
      .subscribe(userTopic(userId), (event) => {
        if (event.kind === 'stop') this.deps.onStreamStop?.(event.messageId);
        const held = entry.recipients;
        for (const target of held instanceof Set ? [...held] : [held]) {
          if (event.kind === 'revoked' && onKeptKey(target, event.keptKeyHash)) continue;
          if (event.kind === 'removed') target.endMembership(event.conversationId);
          target.sendSerialized(event.frame, event.type);
          if (event.kind === 'revoked') target.endSession?.('credentials revoked');
        }
      })
      .then(
        (unsubscribe) => (entry.unsubscribe = unsubscribe),
        (error: unknown) => {
          this.deps.log.error({ err: error, userId }, 'user topic subscribe failed');
          return (entry.unsubscribe = null);
        },
      );
    entry.unsubscribe = subscribing;
    this.users.set(userId, entry);
    await subscribing;
  }

  remove(recipient: Recipient, userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    const held = entry.recipients;
    if (held instanceof Set) {
      held.delete(recipient);
      if (held.size > 0) return;
    } else if (held !== recipient) {
      return;
    }
    this.users.delete(userId);
    const end = (unsubscribe: Unsubscribe | null) =>
      void unsubscribe?.().catch((error: unknown) =>
        this.deps.log.warn({ err: error, userId }, 'user topic unsubscribe failed'),
      );
    if (entry.unsubscribe instanceof Promise) void entry.unsubscribe.then(end);
    else end(entry.unsubscribe);
  }
}

/** Section 14: a socket that signed in with the key that replaced a revoked one stays open. */
function onKeptKey(target: Recipient, keptKeyHash: string | null): boolean {
  return keptKeyHash !== null && target.apiKeyHash === keptKeyHash;
}
