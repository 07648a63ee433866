import { Session } from 'node:inspector';
import { getHeapSpaceStatistics } from 'node:v8';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Logger } from '../logger';

export interface IdleHeapCompactionOptions {
  /** Growth of V8's old generation since its lowest point after the last compaction (or the start) worth a compaction's pause; 0 turns compaction off. */
  minGrowthBytes: number;
  /** How often the process looks: a quiet spell is one whole interval of low event-loop use. */
  checkIntervalMs: number;
  /** The event-loop utilisation (0-1) over an interval at or under which the process counts as quiet. */
  maxQuietUtilization: number;
  /** At most one compaction in this long, so a process that keeps fragmenting pays a bounded share. */
  minSpacingMs: number;
  /** Gives the C heap's free pages back after each compaction (native-heap-trim.ts); null where there is none. */
  trimNativeHeap: (() => void) | null;
  log: Logger;
}

export const IDLE_HEAP_COMPACTION_DEFAULTS = {
  checkIntervalMs: 5000,
  maxQuietUtilization: 0.2,
  minSpacingMs: 60_000,
} as const;

/**
 * What V8 does for an embedder's low-memory notification: major GCs that
 * compact every fragmented page and shrink the young generation, until one
 * frees nothing more. Node's `gc()` (behind --expose-gc) is a plain major GC,
 * which compacted a fifth of what this does in a probe; the inspector's
 * `HeapProfiler.collectGarbage` is the notification, reachable from inside the
 * process without a flag.
 */
async function compactHeap(): Promise<void> {
  // Throws (a rejection here) where Node was built without the inspector.
  const session = new Session();
  session.connect();
  await new Promise<void>((resolve, reject) => {
    session.post('HeapProfiler.collectGarbage', (error) => {
      if (error) reject(error);
      else resolve();
    });
  }).finally(() => {
    // Not from inside the callback: V8's heap profiler agent holds a lock there that disconnecting waits for.
    setImmediate(() => session.disconnect());
  });
}

/** What V8's old generation holds from the OS (its used part counts dead objects until a major GC marks them). */
function oldSpaceBytes(): number {
  return getHeapSpaceStatistics().find((entry) => entry.space_name === 'old_space')?.space_size ?? 0;
}

const mib = (bytes: number) => Math.round(bytes / 1048576);

export interface HeapCompaction {
  /**
   * Compacts now, whatever the growth or the loop (an operator's signal, or a
   * bench that wants a compacted baseline); not counted against the spacing.
   */
  compactNow(): void;
  stop(): void;
}

/**
 * Gives back to the OS the heap a burst left behind, once the process is quiet.
 *
 * Why: a connect storm (thousands of handshakes in flight, each alive for a
 * second or more) promotes every handshake's short-lived objects to V8's old
 * generation, between the sockets' own long-lived ones. When the storm is over
 * half of the old generation is free space in pages that also hold live
 * sockets, and it stays resident: V8 starts a major GC only when the old
 * generation reaches its limit (about half the heap limit in a fresh process,
 * 2 GiB here), and its memory reducer, which compacts in idle time, runs only
 * after a major GC or when a browser tab goes to the background, which never
 * happens to a Node server. The C heap is left the same way (native-heap-trim.ts).
 * Measured with 19,000 idle joined sockets: RSS 411 MiB once connected, 295
 * after the compaction, 257 after the trim (docs/benchmarks.md).
 *
 * So: every `checkIntervalMs`, if the event loop was quiet for the whole
 * interval and the old generation grew by `minGrowthBytes` from its lowest
 * point since the last compaction, compact the heap (compactHeap), then trim
 * the C heap. It pauses the loop (0.31-0.54 s with 19,000 sockets on this
 * machine, growing with the live heap; the trim 5-41 ms), which a quiet process
 * can afford; a busy one is left to V8's own schedule.
 */
export function startIdleHeapCompaction(options: IdleHeapCompactionOptions): HeapCompaction {
  let baseline = oldSpaceBytes();
  let lastLoopUse: EventLoopUtilization = performance.eventLoopUtilization();
  let lastCompactionAt = Number.NEGATIVE_INFINITY;
  let compacting = false;
  /** Set once a compaction failed: the inspector is missing, and nothing here will work later either. */
  let unavailable = false;
  let timer: NodeJS.Timeout | null = null;

  const compact = (reason: 'quiet spell' | 'asked') => {
    if (compacting || unavailable) return;
    compacting = true;
    const before = oldSpaceBytes();
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    compactHeap().then(
      () => {
        compacting = false;
        const after = oldSpaceBytes();
        baseline = after;
        const compactedMs = performance.now() - started;
        const rssCompacted = process.memoryUsage.rss();
        // The collected objects' native parts are freed by now (their weak callbacks ran in the GC).
        const trimStarted = performance.now();
        options.trimNativeHeap?.();
        options.log.info(
          {
            reason,
            tookMs: Math.round(compactedMs),
            trimMs: options.trimNativeHeap ? Math.round(performance.now() - trimStarted) : null,
            oldSpaceMiB: { before: mib(before), after: mib(after) },
            rssMiB: {
              before: mib(rssBefore),
              compacted: mib(rssCompacted),
              after: mib(process.memoryUsage.rss()),
            },
          },
          'heap compacted',
        );
      },
      (error: unknown) => {
        compacting = false;
        unavailable = true;
        stop();
        options.log.warn({ err: error }, 'heap compaction failed; it stays off');
      },
    );
  };

  const check = () => {
    const loopUse = performance.eventLoopUtilization(lastLoopUse);
    lastLoopUse = performance.eventLoopUtilization();
    const size = oldSpaceBytes();
    // Growth counts from the lowest point since the last compaction: V8's own major GCs lower it too.
    baseline = Math.min(baseline, size);
    if (compacting || loopUse.utilization > options.maxQuietUtilization) return;
    if (performance.now() - lastCompactionAt < options.minSpacingMs) return;
    if (size - baseline < options.minGrowthBytes) return;
    lastCompactionAt = performance.now();
    compact('quiet spell');
  };

  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  if (options.minGrowthBytes > 0) {
    timer = setInterval(check, options.checkIntervalMs);
    timer.unref();
  }
  return {
    compactNow: () => compact('asked'),
    stop,
  };
}
