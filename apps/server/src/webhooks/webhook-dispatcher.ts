import type { Cancel, Clock } from '../clock';
import type { Logger } from '../logger';
import type { ClaimedWebhookDelivery, Storage } from '../storage/storage';
import { nextAttemptAt, type RetrySchedule } from './retry-schedule';
import { webhookHeaders } from './signing';
import type { AttemptOutcome } from './webhook-sender';

/** How a delivery ended up, for the metrics and the logs. */
export type DeliveryResult = 'delivered' | 'retry' | 'given_up' | 'gone' | 'dropped';

/** POSTs one signed delivery (webhook-sender.ts in the server; tests may stand in). */
export type SendAttempt = (
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
) => Promise<AttemptOutcome>;

export interface WebhookDispatcherOptions {
  storage: Pick<
    Storage,
    'claimWebhookDeliveries' | 'rescheduleWebhookDelivery' | 'deleteWebhookDelivery' | 'turnOffWebhook'
  >;
  clock: Clock;
  log: Logger;
  send: SendAttempt;
  /** Opens an agent's sealed webhook secret (auth/secret-box.ts); throws when it does not open. */
  openSecret: (sealed: string) => string;
  schedule: RetrySchedule;
  /** How often the stored queue is looked at (rows another process queued, retries falling due). */
  pollIntervalMs: number;
  /** Attempts under way at once in this process (and so the most claimed at once). */
  maxInFlight: number;
  /** How long a claimed delivery is not taken by anyone else: more than an attempt can last. */
  leaseMs: number;
  onResult?: (result: DeliveryResult) => void;
}

/**
 * Sends the stored webhook queue (section 14). It claims due rows (a claim
 * leases them, so two processes never send the same attempt) up to
 * `maxInFlight` attempts under way, each on its own (a receiver that is slow
 * to answer holds up only its own deliveries), and stores each outcome: 2xx deletes the row, 410 turns the agent's
 * webhook off and drops its rows, anything else sets the next attempt by the
 * retry schedule or gives up after 24 h. A row whose webhook is gone (unset,
 * off, agent deleted) is dropped. The queue is the table: a restarted server
 * picks up where the last one stopped, and a process that died mid-send
 * leaves its rows to be claimed again when their lease ends.
 *
 * Time is the injected clock's, so tests move retries along by hand.
 */
export class WebhookDispatcher {
  private stopPolling: Cancel | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  /** Attempts under way. */
  private readonly sending = new Set<Promise<void>>();
  /** The last look stopped at maxInFlight: the next attempt to end looks again. */
  private waitingForRoom = false;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: WebhookDispatcherOptions) {}

  start(): void {
    if (this.stopPolling || this.closed) return;
    this.stopPolling = this.options.clock.setInterval(() => this.kick(), this.options.pollIntervalMs);
    this.kick();
  }

  /** Looks at the queue now (new rows were queued); a look under way looks again when done. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      // A kick that came after the drain's last look but before it finished.
      if (this.again) this.kick();
    });
  }

  /** Stops polling and cuts attempts under way short (their rows fall due again at once). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopPolling?.();
    this.shutdown.abort();
    await this.running;
    await Promise.all(this.sending);
  }

  private async drain(): Promise<void> {
    const { storage, clock, maxInFlight, leaseMs, log } = this.options;
    let full: boolean;
    do {
      this.again = false;
      const room = maxInFlight - this.sending.size;
      if (room <= 0) {
        this.waitingForRoom = true;
        return;
      }
      const now = clock.now();
      let claimed: ClaimedWebhookDelivery[];
      try {
        claimed = await storage.claimWebhookDeliveries({
          now: new Date(now),
          lease_until: new Date(now + leaseMs),
          limit: room,
        });
      } catch (error) {
        log.error({ err: error }, 'webhook queue: claiming deliveries failed');
        return;
      }
      for (const delivery of claimed) this.track(this.deliver(delivery));
      full = claimed.length === room;
    } while (!this.closed && (this.again || full));
  }

  private track(attempt: Promise<void>): void {
    this.sending.add(attempt);
    void attempt.finally(() => {
      this.sending.delete(attempt);
      if (this.waitingForRoom) {
        this.waitingForRoom = false;
        this.kick();
      }
    });
  }

  private async deliver(delivery: ClaimedWebhookDelivery): Promise<void> {
    try {
      const result = await this.attempt(delivery);
      if (result !== null) this.options.onResult?.(result);
    } catch (error) {
      // The row keeps its lease and is tried again when the lease ends.
      this.options.log.error(
        { webhook_id: delivery.id, agent_id: delivery.agent_id, attempt: delivery.attempts, err: error },
        'webhook delivery: storing its outcome failed',
      );
    }
  }

  /** One attempt and what it leaves in storage; null when it was cut off by the shutdown. */
  private async attempt(delivery: ClaimedWebhookDelivery): Promise<DeliveryResult | null> {
    const { storage, clock, log, schedule } = this.options;
    const context = { webhook_id: delivery.id, agent_id: delivery.agent_id, attempt: delivery.attempts };
    if (delivery.webhook === null) {
      await storage.deleteWebhookDelivery(delivery.id);
      log.info(context, 'webhook delivery dropped: the webhook is unset, off or its agent deleted');
      return 'dropped';
    }
    let secret: string;
    try {
      secret = this.options.openSecret(delivery.webhook.secret_sealed);
    } catch (error) {
      await storage.deleteWebhookDelivery(delivery.id);
      log.error({ ...context, err: error }, 'webhook delivery dropped: the webhook secret does not open');
      return 'dropped';
    }
    const headers = webhookHeaders({
      secret,
      id: delivery.id,
      timestamp: new Date(clock.now()),
      body: delivery.payload,
    });
    const outcome = await this.options.send(
      delivery.webhook.url,
      headers,
      delivery.payload,
      this.shutdown.signal,
    );
    switch (outcome.kind) {
      case 'delivered':
        await storage.deleteWebhookDelivery(delivery.id);
        log.debug({ ...context, status: outcome.status }, 'webhook delivered');
        return 'delivered';
      case 'gone':
        await storage.turnOffWebhook(delivery.agent_id);
        log.info(context, 'webhook answered 410: turned off, its queued deliveries dropped');
        return 'gone';
      case 'aborted':
        // Due again at once, for whichever process runs next.
        await storage.rescheduleWebhookDelivery({
          id: delivery.id,
          attempts: delivery.attempts,
          next_attempt_at: new Date(clock.now()),
        });
        return null;
      case 'failed': {
        const now = clock.now();
        const next = nextAttemptAt(schedule, {
          createdAt: Date.parse(delivery.created_at),
          attempts: delivery.attempts,
          now,
        });
        if (next === null) {
          await storage.deleteWebhookDelivery(delivery.id);
          log.warn({ ...context, reason: outcome.reason }, 'webhook delivery given up after 24 h of retries');
          return 'given_up';
        }
        await storage.rescheduleWebhookDelivery({
          id: delivery.id,
          attempts: delivery.attempts,
          next_attempt_at: new Date(next),
        });
        log.info({ ...context, reason: outcome.reason, retry_in_ms: next - now }, 'webhook delivery failed');
        return 'retry';
      }
    }
  }
}
