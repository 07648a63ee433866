import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Frames turned into text, for the whole process: `serializeFrame` is a pure
 * builder with no server context to count in, so the tally lives here and each
 * registry reads it when scraped (a process with several servers counts them all).
 */
let framesSerializedInProcess = 0;

/** Called by `serializeFrame` alone, once per text made. */
export function countFrameSerialized(): void {
  framesSerializedInProcess++;
}

/**
 * A counter by frame type kept in plain numbers, for the per-frame paths: a
 * prom-client `inc({ type })` hashes its labels on every call (issue 13: no
 * label lookups per message). The registry reads the tally when scraped.
 */
export class FrameTally {
  private readonly counts = new Map<string, number>();

  count(type: string): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}

function tallyCounter(name: string, help: string, tally: FrameTally, registry: Registry) {
  return new Counter({
    name,
    help,
    labelNames: ['type'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [type, count] of tally.entries()) this.inc({ type }, count);
    },
  });
}

/**
 * The server's Prometheus metrics, on a registry of its own (tests run several
 * servers in one process).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const framesIn = new FrameTally();
  const framesOut = new FrameTally();
  tallyCounter(
    'chat_frames_in_total',
    'Frames received, by type (invalid frames as "invalid")',
    framesIn,
    registry,
  );
  tallyCounter(
    'chat_frames_out_total',
    'Frames sent, by type (a broadcast counts once per recipient)',
    framesOut,
    registry,
  );
  return {
    registry,
    framesIn,
    framesOut,
    connections: new Gauge({
      name: 'chat_connections',
      help: 'Open WebSocket connections',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    connectionCapacity: new Gauge({
      name: 'chat_connection_capacity',
      help: 'WebSocket connections this process accepts (MAX_CONNECTIONS, else its fd limit less a reserve)',
      registers: [registry],
    }),
    framesSerialized: new Counter({
      name: 'chat_frames_serialized_total',
      help: 'Server frames serialised to text in this process (a broadcast once, whatever its recipients)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(framesSerializedInProcess);
      },
    }),
    messagesPersisted: new Counter({
      name: 'chat_messages_persisted_total',
      help: 'New messages durably stored',
      registers: [registry],
    }),
    commitBatchSize: new Histogram({
      name: 'chat_commit_batch_size',
      help: 'send_message frames written per storage transaction (group commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    /*
     * The storage's share of a send's latency, apart from the event loop's: on a
     * disk whose fsync now and then takes 15-30 ms, this shows the tail of
     * chat_ack_latency_seconds is the commits' (issue 13). Failed commits count too.
     */
    commitSeconds: new Histogram({
      name: 'chat_commit_seconds',
      help: 'From a group commit handed to the storage to its answer (queue, transaction and fsync)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'chat_ack_latency_seconds',
      help: 'From a send_message frame arriving to its message_ack being sent',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'chat_errors_total',
      help: 'error frames and REST errors sent, by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    closes: new Counter({
      name: 'chat_server_closes_total',
      help: 'Connections the server closed, by close code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'chat_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered, retry, given_up, gone (410), dropped (webhook unset)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
