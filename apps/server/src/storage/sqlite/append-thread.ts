import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as Esbuild from 'esbuild';
import type { AppendOutcome, NewMessage } from '../storage';
import type { WriterReply, WriterRequest } from './append-worker';
import type { SqliteStorageOptions } from './database';

/** A batch the writer thread could not commit; nothing of it is stored. */
export class AppendFailed extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'AppendFailed';
  }
}

interface Pending {
  resolve: (reply: WriterReply) => void;
  reject: (error: Error) => void;
}

/**
 * The process's one writer thread (append-worker.ts), started when the first
 * storage opens (SqliteWriter.prepare). A thread that dies fails the requests it held (those
 * sends were never acked, so clients resend them); the next request starts a
 * new one, and each storage opens its file again on it. While nothing is in
 * flight the thread does not keep the process alive.
 */
class WriterThread {
  private worker: Worker | null = null;
  /** Bumped at each start: a storage whose file was opened on an older thread opens it again. */
  generation = 0;
  private readonly pending = new Map<number, Pending>();
  /** Who hears of a file's failed checkpoints (SqliteStorageOptions.onCheckpointFailed). */
  readonly checkpointListeners = new Map<number, (message: string) => void>();
  private nextId = 1;
  private starting: Promise<Worker> | null = null;

  /** Sends `request` (built with a fresh id) and resolves with its reply. */
  async request(build: (id: number) => WriterRequest & { id: number }): Promise<WriterReply> {
    const worker = this.worker ?? (await this.start());
    const request = build(this.nextId++);
    const reply = new Promise<WriterReply>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
    });
    if (this.pending.size === 1) worker.ref();
    worker.postMessage(request);
    return reply;
  }

  /** Fire-and-forget requests (open) go in order with the others. */
  async post(request: WriterRequest): Promise<number> {
    const worker = this.worker ?? (await this.start());
    worker.postMessage(request);
    return this.generation;
  }

  get running(): boolean {
    return this.worker !== null;
  }

  private start(): Promise<Worker> {
    return (this.starting ??= (async () => {
      const script = await workerScript();
      // The writer starts its checkpointer thread from the same script: named here, since a
      // bundle's import.meta.url is rewritten to the module's place in the sources.
      const worker = new Worker(script, { workerData: { role: 'writer', script: script.href } });
      this.generation++;
      worker.unref();
      worker.on('message', (reply: WriterReply) => {
        if (reply.kind === 'checkpoint-failed') {
          this.checkpointFailed(reply.file, reply.message);
          return;
        }
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        this.pending.delete(reply.id);
        if (this.pending.size === 0) worker.unref();
        waiting.resolve(reply);
      });
      worker.on('error', (error) => this.lost(worker, error));
      worker.on('exit', (code) =>
        this.lost(worker, new AppendFailed(`writer thread exited (${code})`, null)),
      );
      this.worker = worker;
      this.starting = null;
      return worker;
    })());
  }

  /** A file's checkpoint failed, or (file 0) the checkpointer thread itself: every file hears of that. */
  private checkpointFailed(file: number, message: string): void {
    if (file !== 0) this.checkpointListeners.get(file)?.(message);
    else for (const listener of this.checkpointListeners.values()) listener(message);
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const failed = error instanceof AppendFailed ? error : new AppendFailed(error.message, null);
    for (const waiting of this.pending.values()) waiting.reject(failed);
    this.pending.clear();
  }
}

const writerThread = new WriterThread();
let nextFile = 1;

/** One SQLite file's sends, committed on the process's writer thread: one round trip per group commit. */
export class SqliteWriter {
  private readonly file = nextFile++;
  /** The writer thread's generation this file is open on; 0: not open. */
  private openOn = 0;
  private opening: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: SqliteStorageOptions) {
    const listener = options.onCheckpointFailed;
    if (listener) writerThread.checkpointListeners.set(this.file, listener);
  }

  async append(batch: NewMessage[]): Promise<AppendOutcome[]> {
    if (this.closed) throw new AppendFailed('storage is closed', null);
    await this.ensureOpen();
    const reply = await writerThread.request((id) => ({ kind: 'append', id, file: this.file, batch }));
    if (reply.kind === 'failed') throw new AppendFailed(reply.message, reply.code);
    if (reply.kind !== 'appended') throw new AppendFailed(`unexpected reply ${reply.kind}`, null);
    return reply.outcomes;
  }

  /**
   * Starts the thread (bundling its script first when running from the sources)
   * and opens this file on it now, so that the first send after a start does not
   * wait for them: half a second and more, long enough to reorder what people
   * see (a message still "Sending…" when it is read elsewhere). A failure here
   * fails the first append the same way, which reports it.
   */
  prepare(): Promise<void> {
    return this.ensureOpen() ?? Promise.resolve();
  }

  /** Closes this file's connection on the writer thread (after the batch in hand). */
  async close(): Promise<void> {
    this.closed = true;
    writerThread.checkpointListeners.delete(this.file);
    // An open still under way would leave its connection behind on the thread.
    if (this.opening) await this.opening.catch(() => undefined);
    if (this.openOn === 0 || this.openOn !== writerThread.generation || !writerThread.running) return;
    try {
      await writerThread.request((id) => ({ kind: 'close', id, file: this.file }));
    } catch (error) {
      // The thread died meanwhile, and its connections with it: there is nothing left to close.
      if (!(error instanceof AppendFailed)) throw error;
    }
  }

  private ensureOpen(): Promise<void> | undefined {
    if (this.openOn !== 0 && this.openOn === writerThread.generation && writerThread.running)
      return undefined;
    // Appends called together (not the send queue's way, but the storage API allows it) open once.
    return (this.opening ??= writerThread
      .post({ kind: 'open', file: this.file, options: { ...this.options, onCheckpointFailed: undefined } })
      .then((generation) => {
        this.openOn = generation;
      })
      .finally(() => {
        this.opening = null;
      }));
  }
}

/** dist/sqlite-append-worker.js in the server build (scripts/build.mjs); from the sources, bundled here once. */
const BUILT_WORKER = new URL('../../sqlite-append-worker.js', import.meta.url);
let bundledFromSource: Promise<URL> | null = null;

function workerScript(): Promise<URL> {
  if (existsSync(fileURLToPath(BUILT_WORKER))) return Promise.resolve(BUILT_WORKER);
  return (bundledFromSource ??= bundleFromSource());
}

/**
 * Tests and `npm run dev` run the TypeScript sources, which a worker thread
 * cannot load by itself: esbuild bundles the worker (workspace packages in, npm
 * packages as imports by absolute path) into a file named by its content.
 */
async function bundleFromSource(): Promise<URL> {
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof Esbuild;
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./append-worker.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        name: 'npm-packages-by-path',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('@chat/')) return undefined;
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            return { path: pathToFileURL(require.resolve(args.path)).href, external: true };
          });
        },
      },
    ],
  });
  const code = result.outputFiles[0]?.text ?? '';
  const dir = join(tmpdir(), 'chat-sqlite-writer');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `append-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) writeFileSync(file, code);
  return pathToFileURL(file);
}
