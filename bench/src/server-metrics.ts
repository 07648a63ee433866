/**
 * The chat server's own view of a step, from two scrapes of `GET /metrics`
 * (Prometheus text): the group commit's batch sizes, time spent in GC, and the
 * event loop's delay (prom-client resets that histogram at every scrape, so the
 * second scrape covers exactly the step).
 */
interface Histogram {
  /** Cumulative counts by upper bound. */
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

export interface MetricsSnapshot {
  commitBatch: Histogram;
  gcSeconds: number;
  eventLoopDelayMaxMs: number;
  eventLoopDelayP99Ms: number;
}

/** What the group commit did over a span: commits, sends per commit. */
export interface BatchSummary {
  commits: number;
  sends: number;
  mean: number;
  /** Upper bounds of the buckets holding the median and the 99th percentile commit. */
  p50Bound: number;
  p99Bound: number;
  /** Share of commits that carried one send only. */
  singles: number;
}

export interface ServerStepStats {
  batches: BatchSummary;
  gcSeconds: number;
  /** monitorEventLoopDelay at 10 ms resolution: ~10 ms is an idle loop; the max is the longest stall. */
  eventLoopDelayMaxMs: number;
  eventLoopDelayP99Ms: number;
}

/** Series name, labels text and value of each sample line. */
function* samples(text: string): Generator<[string, string, number]> {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (match?.[1] && match[3]) yield [match[1], match[2] ?? '', Number(match[3])];
  }
}

export async function scrapeMetrics(baseUrl: string): Promise<MetricsSnapshot> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
  const snapshot: MetricsSnapshot = {
    commitBatch: { buckets: new Map(), sum: 0, count: 0 },
    gcSeconds: 0,
    eventLoopDelayMaxMs: Number.NaN,
    eventLoopDelayP99Ms: Number.NaN,
  };
  for (const [name, labels, value] of samples(await response.text())) {
    switch (name) {
      case 'chat_commit_batch_size_bucket': {
        const le = /le="([^"]+)"/.exec(labels)?.[1];
        if (le !== undefined) snapshot.commitBatch.buckets.set(le === '+Inf' ? Infinity : Number(le), value);
        break;
      }
      case 'chat_commit_batch_size_sum':
        snapshot.commitBatch.sum = value;
        break;
      case 'chat_commit_batch_size_count':
        snapshot.commitBatch.count = value;
        break;
      case 'nodejs_gc_duration_seconds_sum':
        snapshot.gcSeconds += value;
        break;
      case 'nodejs_eventloop_lag_max_seconds':
        snapshot.eventLoopDelayMaxMs = value * 1000;
        break;
      case 'nodejs_eventloop_lag_p99_seconds':
        snapshot.eventLoopDelayP99Ms = value * 1000;
        break;
    }
  }
  return snapshot;
}

/** The commits between two scrapes. */
function batchSummary(before: Histogram, after: Histogram): BatchSummary {
  const commits = after.count - before.count;
  const sends = after.sum - before.sum;
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const inBucket = (bound: number) => (after.buckets.get(bound) ?? 0) - (before.buckets.get(bound) ?? 0);
  const boundAt = (quantile: number) =>
    bounds.find((bound) => inBucket(bound) >= quantile * commits) ?? Infinity;
  return {
    commits,
    sends,
    mean: commits === 0 ? Number.NaN : sends / commits,
    p50Bound: boundAt(0.5),
    p99Bound: boundAt(0.99),
    singles: commits === 0 ? Number.NaN : inBucket(1) / commits,
  };
}

export function stepStats(before: MetricsSnapshot, after: MetricsSnapshot): ServerStepStats {
  return {
    batches: batchSummary(before.commitBatch, after.commitBatch),
    gcSeconds: after.gcSeconds - before.gcSeconds,
    eventLoopDelayMaxMs: after.eventLoopDelayMaxMs,
    eventLoopDelayP99Ms: after.eventLoopDelayP99Ms,
  };
}
