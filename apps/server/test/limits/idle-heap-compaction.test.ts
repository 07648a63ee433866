import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { startIdleHeapCompaction } from '../../src/limits/idle-heap-compaction';

/**
 * The heap a burst left behind goes back to the OS once the process is quiet
 * (issue 13: idle connections' RSS after a connect storm). The compaction runs
 * here, in the test's own process, through the same inspector session the
 * server uses, and the process goes on (disconnecting inside V8's callback
 * deadlocked it once).
 */

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** Objects kept across several scavenges (so V8 moves them to its old generation), then let go. */
function growOldGeneration(megabytes: number): Promise<void> {
  const kept: Array<{ index: number; text: string }> = [];
  return new Promise((resolve) => {
    let round = 0;
    const step = () => {
      for (let index = 0; index < 16_000; index++) kept.push({ index, text: `item ${round}:${index}` });
      if (++round < megabytes) setImmediate(step);
      else {
        kept.length = 0;
        resolve();
      }
    };
    step();
  });
}

const compacted = (lines: Array<Record<string, unknown>>) =>
  lines.filter((line) => line.msg === 'heap compacted');

describe('idle heap compaction', () => {
  it('compacts once the old generation grew and the loop is quiet, trims the C heap after, and logs what it gave back', async () => {
    const { log, lines } = capturingLogger();
    let trims = 0;
    const compaction = startIdleHeapCompaction({
      minGrowthBytes: 1024 * 1024,
      checkIntervalMs: 50,
      // The growth below keeps the loop busy: the compaction waits for it to end.
      maxQuietUtilization: 0.5,
      minSpacingMs: 60_000,
      trimNativeHeap: () => trims++,
      log,
    });
    try {
      await growOldGeneration(16);
      await vi.waitFor(() => expect(compacted(lines)).toHaveLength(1), { timeout: 10_000 });
      const [line] = compacted(lines);
      expect(line).toMatchObject({ level: 30, reason: 'quiet spell' });
      const oldSpace = line?.oldSpaceMiB as { before: number; after: number };
      expect(oldSpace.after).toBeLessThanOrEqual(oldSpace.before);
      expect(typeof line?.tookMs).toBe('number');
      expect(trims).toBe(1);
      expect(typeof line?.trimMs).toBe('number');
      // The spacing holds a second one back, however much the heap grows again.
      await growOldGeneration(16);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(compacted(lines)).toHaveLength(1);
      expect(trims).toBe(1);
    } finally {
      compaction.stop();
    }
  });

  it('leaves a busy process to V8: no compaction while the loop is above the quiet threshold', async () => {
    const { log, lines } = capturingLogger();
    const compaction = startIdleHeapCompaction({
      minGrowthBytes: 1024 * 1024,
      checkIntervalMs: 50,
      maxQuietUtilization: 0, // no interval is ever that quiet
      minSpacingMs: 0,
      trimNativeHeap: null,
      log,
    });
    try {
      await growOldGeneration(16);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(compacted(lines)).toHaveLength(0);
    } finally {
      compaction.stop();
    }
  });

  it('compacts when asked, with the quiet-spell compaction off, and trims after', async () => {
    const { log, lines } = capturingLogger();
    let trims = 0;
    const compaction = startIdleHeapCompaction({
      minGrowthBytes: 0,
      checkIntervalMs: 50,
      maxQuietUtilization: 1,
      minSpacingMs: 60_000,
      trimNativeHeap: () => trims++,
      log,
    });
    try {
      await growOldGeneration(4);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(compacted(lines)).toHaveLength(0);
      compaction.compactNow();
      compaction.compactNow(); // one already running: not a second
      await vi.waitFor(() => expect(compacted(lines)).toHaveLength(1), { timeout: 10_000 });
      expect(compacted(lines)[0]).toMatchObject({ reason: 'asked' });
      expect(trims).toBe(1);
      // Asking is not held back by the spacing.
      compaction.compactNow();
      await vi.waitFor(() => expect(compacted(lines)).toHaveLength(2), { timeout: 10_000 });
    } finally {
      compaction.stop();
    }
  });
});
