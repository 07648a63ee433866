import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfigFromEnv, resolveConfig } from '../../src/index';
import { startServerProcess } from '../support/server-process';

/**
 * HEAP_COMPACTION_SIGNAL (issue 13): the process `npm start` runs compacts its
 * heap and trims the C heap when sent that signal, and keeps serving.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'chat-compaction-signal-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('heap compaction signal', () => {
  it('is off unless set, and only SIGUSR2 or SIGHUP', () => {
    expect(resolveConfig(loadConfigFromEnv({})).heapCompactionSignal).toBeNull();
    expect(loadConfigFromEnv({ HEAP_COMPACTION_SIGNAL: 'SIGUSR2' }).heapCompactionSignal).toBe('SIGUSR2');
    expect(() => loadConfigFromEnv({ HEAP_COMPACTION_SIGNAL: 'SIGTERM' })).toThrow(ConfigError);
  });

  it('compacts and trims on the signal, logs it, and the server stays up', async () => {
    const proc = await startServerProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      HEAP_COMPACTION_SIGNAL: 'SIGUSR2',
    });
    try {
      proc.child.kill('SIGUSR2');
      const compacted = () =>
        proc
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.msg === 'heap compacted');
      await vi.waitFor(() => expect(compacted()).toBeDefined(), { timeout: 20_000, interval: 100 });
      expect(compacted()).toMatchObject({ reason: 'asked' });
      // This machine is glibc: the trim ran (elsewhere the start logs why not and trimMs is null).
      if (
        (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
          ?.glibcVersionRuntime
      ) {
        expect(compacted()?.trimMs).toEqual(expect.any(Number));
      }
      expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);
    } finally {
      await proc.kill('SIGTERM');
    }
  });
});
