import { userTopic, type Broker, type Unsubscribe } from '../broker/broker';
import type { Logger } from '../logger';
import type { Recipient } from './recipient';

/**
 * Every authenticated connection of a user on this process, reached through the
 * user's broker topic (a new conversation reaches all of its members' devices).
 */
export class UserChannels {
  private readonly users = new Map<
    string,
    { recipients: Set<Recipient>; unsubscribe: Promise<Unsubscribe | null> }
  >();

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
    return this.users.get(userId)?.recipients.size ?? 0;
  }

  async add(recipient: Recipient, userId: string): Promise<void> {
    const existing = this.users.get(userId);
    if (existing) {
      existing.recipients.add(recipient);
      await existing.unsubscribe;
      return;
    }
    const recipients = new Set([recipient]);
    const unsubscribe = this.deps.broker
      .subscribe(userTopic(userId), (event) => {
        if (event.kind === 'stop') this.deps.onStreamStop?.(event.messageId);
        for (const target of recipients) {
          if (event.kind === 'revoked' && onKeptKey(target, event.keptKeyHash)) continue;
          if (event.kind === 'removed') target.endMembership(event.conversationId);
          target.sendSerialized(event.frame, event.type);
          if (event.kind === 'revoked') target.endSession?.('credentials revoked');
        }
      })
      .catch((error: unknown) => {
        this.deps.log.error({ err: error, userId }, 'user topic subscribe failed');
        return null;
      });
    this.users.set(userId, { recipients, unsubscribe });
    await unsubscribe;
  }

  remove(recipient: Recipient, userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    entry.recipients.delete(recipient);
    if (entry.recipients.size > 0) return;
    this.users.delete(userId);
    void entry.unsubscribe.then((unsubscribe) => unsubscribe?.());
  }
}

/** Section 14: a socket that signed in with the key that replaced a revoked one stays open. */
function onKeptKey(target: Recipient, keptKeyHash: string | null): boolean {
  return keptKeyHash !== null && target.apiKeyHash === keptKeyHash;
}
