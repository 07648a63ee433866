import type { Message } from '@chat/protocol';
import type { Clock } from '../clock';
import { pushCandidates, pushPayload, pushRecipients } from '../domain/notification-rules';
import type { Logger } from '../logger';
import type { PushResult, PushTarget } from '../push/push-sender';
import type { PushAudience, Storage } from '../storage/storage';
import type { PresenceRegistry } from './presence';

/** What sends one push (push/push-sender.ts). */
export interface PushTransport {
  readonly publicKey: string;
  send(target: PushTarget, payload: string): Promise<PushResult>;
}

export interface NotificationsOptions {
  storage: Storage;
  /**
   * Who has a page in view: a presence registry keyed by user (the user id as
   * both "conversation" and user), counting visible authenticated connections,
   * in process or on Redis across processes.
   */
  visibility: PresenceRegistry;
  transport: PushTransport;
  clock: Clock;
  log: Logger;
  /** PUSH_PREVIEWS: text and sender in the payload. */
  previews: boolean;
}

/** Messages waiting for their push decision; more are dropped (and logged) rather than held. */
const MAX_QUEUED = 10_000;
/** How long a shutdown waits for pushes in flight. */
const CLOSE_WAIT_MS = 2000;

interface ConnectionState {
  userId: string;
  visible: boolean;
  /**
   * The visibility registry's updates of this connection, in order; null when
   * none is in flight (a settled promise kept by every idle socket costs it bytes).
   */
  chain: Promise<void> | null;
}

/**
 * Section 13, the live part: which authenticated connections have their page
 * in view (`client_state`), and the Web Pushes of stored text messages.
 *
 * `messageStored` is called after the send's ack went out and returns at once:
 * decisions run one message at a time off the send path, and each recipient's
 * pushes go out in order on a chain of their own (one slow push service holds
 * up only its own users). Failures are logged; a 404 or 410 deletes the
 * subscription.
 */
export class Notifications {
  private readonly connections = new Map<string, ConnectionState>();
  private readonly queue: Array<{ message: Message; audience: PushAudience | null | undefined }> = [];
  private draining = false;
  private closed = false;
  private readonly userChains = new Map<string, Promise<void>>();

  constructor(private readonly options: NotificationsOptions) {}

  get publicKey(): string {
    return this.options.transport.publicKey;
  }

  /** An authenticated connection: visible until it says otherwise. */
  connectionOpened(connectionId: string, userId: string): Promise<void> {
    const state: ConnectionState = { userId, visible: true, chain: null };
    this.connections.set(connectionId, state);
    return this.update(state, () => this.options.visibility.add(userId, userId));
  }

  /** `client_state {visible}`; resolves once the registry knows. */
  setVisible(connectionId: string, visible: boolean): Promise<void> {
    const state = this.connections.get(connectionId);
    if (!state || state.visible === visible) return state?.chain ?? Promise.resolve();
    state.visible = visible;
    const { userId } = state;
    const { visibility } = this.options;
    return this.update(state, () =>
      visible ? visibility.add(userId, userId) : visibility.remove(userId, userId),
    );
  }

  connectionClosed(connectionId: string): Promise<void> {
    const state = this.connections.get(connectionId);
    if (!state) return Promise.resolve();
    this.connections.delete(connectionId);
    if (!state.visible) return state.chain ?? Promise.resolve();
    state.visible = false;
    return this.update(state, () => this.options.visibility.remove(state.userId, state.userId));
  }

  /**
   * A message was stored and acked: its pushes are decided and sent later, off
   * the send path. `audience` is the conversation as the send's transaction saw
   * it, when storage read it there (else it is read here).
   */
  messageStored(message: Message, audience?: PushAudience | null): void {
    if (this.closed || message.kind !== 'text') return;
    // Known already to concern no one (most messages: no member but the sender has a subscription).
    if (audience === null) return;
    if (
      audience &&
      pushCandidates(message, audience.members, new Date(this.options.clock.now())).length === 0
    )
      return;
    if (this.queue.length >= MAX_QUEUED) {
      this.options.log.warn({ messageId: message.id }, 'push queue full: message not pushed');
      return;
    }
    this.queue.push({ message, audience });
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  /** Stops taking messages and waits a little for pushes in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    const inFlight = Promise.all([...this.userChains.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inFlight, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private update(state: ConnectionState, step: () => Promise<unknown>): Promise<void> {
    const chain: Promise<void> = (state.chain ?? Promise.resolve())
      .then(step)
      .then(
        () => undefined,
        (error: unknown) => this.options.log.warn({ err: error }, 'visibility update failed'),
      )
      .then(() => {
        if (state.chain === chain) state.chain = null;
      });
    state.chain = chain;
    return chain;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        await this.decide(next.message, next.audience);
      } catch (error) {
        this.options.log.warn({ err: error, messageId: next.message.id }, 'push decision failed');
      }
    }
    this.draining = false;
  }

  private async decide(message: Message, known: PushAudience | null | undefined): Promise<void> {
    const { storage, visibility, clock, previews } = this.options;
    const audience = known === undefined ? await storage.pushAudience(message.conversation_id) : known;
    if (!audience) return;
    const candidates = pushCandidates(message, audience.members, new Date(clock.now()));
    if (candidates.length === 0) return;
    const visible = new Set<string>();
    await Promise.all(
      candidates.map(async (userId) => {
        if ((await visibility.onlineUserIds(userId)).has(userId)) visible.add(userId);
      }),
    );
    const recipients = pushRecipients(candidates, visible);
    if (recipients.length === 0) return;
    const sender = audience.members.find((member) => member.user_id === message.sender_id);
    const payload = JSON.stringify(
      pushPayload({
        message,
        conversationTitle: audience.title,
        senderName: sender?.display_name ?? '',
        previews,
      }),
    );
    for (const userId of recipients) this.enqueueFor(userId, () => this.pushTo(userId, message.id, payload));
  }

  /** Each user's pushes in order; the subscriptions are read when their turn comes. */
  private enqueueFor(userId: string, work: () => Promise<void>): void {
    const next = (this.userChains.get(userId) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      this.options.log.warn({ err: error, userId }, 'push failed');
    });
    this.userChains.set(userId, next);
    void next.then(() => {
      if (this.userChains.get(userId) === next) this.userChains.delete(userId);
    });
  }

  private async pushTo(userId: string, messageId: string, payload: string): Promise<void> {
    const { storage, transport, log } = this.options;
    for (const subscription of await storage.pushSubscriptionsOf([userId])) {
      const result = await transport.send(subscription, payload);
      if (result.status === 'gone') {
        await storage.deletePushEndpoint(subscription.endpoint);
        log.info(
          { userId, push_service: originOf(subscription.endpoint) },
          'push subscription gone: deleted',
        );
      } else if (result.status === 'failed') {
        log.warn(
          { userId, messageId, push_service: originOf(subscription.endpoint), reason: result.reason },
          'push not sent',
        );
      }
    }
  }
}

/** Endpoints are capabilities: logs name only their push service. */
function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'invalid';
  }
}
