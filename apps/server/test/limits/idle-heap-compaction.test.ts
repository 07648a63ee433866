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
  lines.filter((line) => line.msg === 'heap compacted in a quiet spell');

describe('idle heap compaction', () => {
  it('compacts once the old generation grew and the loop is quiet, trims the C heap after, and logs what it gave back', async () => {
    const { log, lines } = capturingLogger();
    let trims = 0;
    const stop = startIdleHeapCompaction({
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
      expect(line).toMatchObject({ level: 30 });
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
      stop();
    }
  });

  it('leaves a busy process to V8: no compaction while the loop is above the quiet threshold', async () => {
    const { log, lines } = capturingLogger();
    const stop = startIdleHeapCompaction({
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
      stop();
    }
  });
});
