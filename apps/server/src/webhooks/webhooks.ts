import { createHash } from 'node:crypto';
import type { Message, WebhookPayload } from '@chat/protocol';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Storage } from '../storage/storage';
import type { ResolveHost } from './address-guard';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './retry-schedule';
import { WebhookDispatcher, type DeliveryResult } from './webhook-dispatcher';
import { DEFAULT_MAX_REDIRECTS, DEFAULT_SEND_TIMEOUT_MS, sendWebhook } from './webhook-sender';

/** How often each process looks at the stored queue for due deliveries. */
const POLL_INTERVAL_MS = 1000;
/** Attempts under way at once per process. */
const MAX_IN_FLIGHT = 20;
/** A claimed delivery is left alone this long: well past an attempt's timeout. */
const LEASE_MS = 6 * DEFAULT_SEND_TIMEOUT_MS;

export interface WebhooksOptions {
  storage: Pick<Storage, 'webhookRecipients' | 'enqueueWebhookDeliveries'>;
  dispatcher: WebhookDispatcher;
  clock: Clock;
  log: Logger;
}

/**
 * Section 14, the queueing side of webhooks: each finished `text` message is
 * queued once for every agent member with a webhook on, but its sender; the
 * dispatcher then sends the stored queue.
 *
 * `messageFinished` is the one entry point. It is called right after a send's
 * commit and ack (the socket's send_message and MCP's send_message); a message
 * sent streaming (`state: "streaming"`) is skipped then and delivered when its
 * stream ends, whoever ends it, with its final text and state
 * (realtime/stream-completion.ts calls it again with the ended message).
 */
export class Webhooks {
  /** Queueing under way: a shutdown lets it reach storage before storage closes. */
  private readonly queueing = new Set<Promise<void>>();

  constructor(private readonly options: WebhooksOptions) {}

  start(): void {
    this.options.dispatcher.start();
  }

  async close(): Promise<void> {
    await Promise.all(this.queueing);
    await this.options.dispatcher.close();
  }

  /**
   * Queues the message's deliveries off the send path; failures are logged.
   * `agentIds`: its webhook recipients, when the send's transaction read them.
   */
  messageFinished(message: Message, agentIds?: readonly string[]): void {
    if (message.kind !== 'text' || message.state === 'streaming' || message.deleted_at !== null) return;
    // Most conversations have no agent with a webhook: nothing to queue, no promise to keep.
    if (agentIds?.length === 0) return;
    const queued = this.enqueue(message, agentIds).catch((error: unknown) =>
      this.options.log.error(
        { err: error, message_id: message.id, conversation_id: message.conversation_id },
        'webhook deliveries of a message could not be queued',
      ),
    );
    this.queueing.add(queued);
    void queued.finally(() => this.queueing.delete(queued));
  }

  private async enqueue(message: Message, known: readonly string[] | undefined): Promise<void> {
    const { storage, clock, dispatcher } = this.options;
    const agentIds = known ?? (await storage.webhookRecipients(message.conversation_id, message.sender_id));
    if (agentIds.length === 0) return;
    const payload: WebhookPayload = { type: 'message', conversation_id: message.conversation_id, message };
    const body = JSON.stringify(payload);
    const now = new Date(clock.now());
    await storage.enqueueWebhookDeliveries(
      agentIds.map((agentId) => ({
        id: deliveryId(message.id, agentId),
        agent_id: agentId,
        payload: body,
        now,
      })),
    );
    dispatcher.kick();
  }
}

/**
 * The `webhook-id` of a message's delivery to one agent: derived from both, so
 * queueing the same message twice (a retried call, two processes) queues it
 * once, and the receiver can deduplicate on it across retries.
 */
export function deliveryId(messageId: string, agentId: string): string {
  return `msg_${createHash('sha256').update(`${messageId}:${agentId}`).digest('base64url').slice(0, 32)}`;
}

export interface WebhooksSetup {
  storage: Storage;
  clock: Clock;
  log: Logger;
  /** Opens an agent's sealed webhook secret (the server's SecretBox). */
  openSecret: (sealed: string) => string;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  onResult?: (result: DeliveryResult) => void;
  /** Tests: names of their own, a loopback address counted as public, a shorter schedule. */
  resolveHost?: ResolveHost;
  isPublic?: (address: string) => boolean;
  schedule?: RetrySchedule;
}

/** The webhooks of one server: queue, dispatcher and sender, with the production settings. */
export function createWebhooks(setup: WebhooksSetup): Webhooks {
  const { storage, clock, log } = setup;
  const senderOptions = {
    allowPrivate: setup.allowPrivate,
    resolveHost: setup.resolveHost,
    isPublic: setup.isPublic,
    timeoutMs: DEFAULT_SEND_TIMEOUT_MS,
    maxRedirects: DEFAULT_MAX_REDIRECTS,
  };
  const dispatcher = new WebhookDispatcher({
    storage,
    clock,
    log,
    openSecret: setup.openSecret,
    send: (url, headers, body, signal) => sendWebhook(url, headers, body, senderOptions, signal),
    schedule: setup.schedule ?? DEFAULT_RETRY_SCHEDULE,
    pollIntervalMs: POLL_INTERVAL_MS,
    maxInFlight: MAX_IN_FLIGHT,
    leaseMs: LEASE_MS,
    onResult: setup.onResult,
  });
  return new Webhooks({ storage, dispatcher, clock, log });
}
