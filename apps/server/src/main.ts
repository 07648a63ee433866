import { ConfigError, loadConfigFromEnv } from './config';
import { IDLE_HEAP_COMPACTION_DEFAULTS, startIdleHeapCompaction } from './limits/idle-heap-compaction';
import { loadNativeHeapTrim } from './limits/native-heap-trim';
import { createServer } from './server';

/** Wiring only: configuration from the environment, then the server, then what the process owns. */
async function main(): Promise<void> {
  const server = await createServer(loadConfigFromEnv());
  // The process's heap, not a server's: tests that make servers in their own process leave it alone.
  const nativeHeap = await loadNativeHeapTrim();
  if ('unavailable' in nativeHeap) {
    server.log.info({ reason: nativeHeap.unavailable }, "the C heap's free pages stay with the process");
  }
  const heapCompaction = startIdleHeapCompaction({
    ...IDLE_HEAP_COMPACTION_DEFAULTS,
    minGrowthBytes: server.config.heapCompactionMinGrowthBytes,
    trimNativeHeap: 'trim' in nativeHeap ? nativeHeap.trim : null,
    log: server.log,
  });
  const compactionSignal = server.config.heapCompactionSignal;
  if (compactionSignal) process.on(compactionSignal, () => heapCompaction.compactNow());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: shutting down\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`Chat is running at ${server.url}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
