import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/**
 * Several server processes on one machine and one port (node:cluster: the
 * primary accepts and hands each connection to a worker in turn). Each worker
 * is a whole server (main.ts) with its own rooms and connections; they share
 * PostgreSQL and Redis exactly as processes on different machines do, so
 * DATABASE_URL and REDIS_URL are required with more than one worker.
 *
 * `--workers N` (default: the number of cores). A worker that dies is started
 * again after a pause; SIGTERM/SIGINT are passed to every worker (each shuts
 * down gracefully) and the primary exits once they all have.
 */
const RESTART_DELAY_MS = 1000;

function workerCount(argv: readonly string[]): number {
  const index = argv.indexOf('--workers');
  const value = index >= 0 ? Number(argv[index + 1]) : availableParallelism();
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--workers must be a positive integer, not ${String(argv[index + 1])}`);
  }
  return value;
}

function runPrimary(): void {
  const workers = workerCount(process.argv.slice(2));
  if (workers > 1 && (!process.env.DATABASE_URL || !process.env.REDIS_URL)) {
    process.stderr.write(
      'start:cluster: more than one worker needs DATABASE_URL and REDIS_URL (shared storage and fan-out)\n',
    );
    process.exit(1);
  }
  let stopping = false;
  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(
      `worker ${String(worker.process.pid)} exited (${String(signal ?? code)}); starting another\n`,
    );
    setTimeout(fork, RESTART_DELAY_MS);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(
      `${signal}: stopping ${String(Object.keys(cluster.workers ?? {}).length)} workers\n`,
    );
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let index = 0; index < workers; index++) fork();
}

if (cluster.isPrimary) {
  try {
    runPrimary();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
} else {
  // A Ctrl-C reaches the whole process group: the primary passes it on once, as SIGTERM.
  process.on('SIGINT', () => undefined);
  await import('./main');
}
