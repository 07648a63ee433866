import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Private PostgreSQL and Redis instances for the multi-process fault suite: on
 * free loopback ports, in temporary directories, stopped and started at will
 * (an outage is a real stop of the engine). Where a binary is missing,
 * `enginesUnavailableReason` says which, and the suite skips with it printed.
 */

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function which(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, binary);
    if (existsSync(path)) return path;
  }
  return null;
}

const isRoot = () => userInfo().uid === 0;

/** Why the engines cannot be started here, or null when they can. */
export function enginesUnavailableReason(): string | null {
  const missing = ['initdb', 'pg_ctl', 'redis-server'].filter((binary) => which(binary) === null);
  if (missing.length > 0) return `missing binaries: ${missing.join(', ')}`;
  if (isRoot() && which('runuser') === null) return 'running as root without runuser to start PostgreSQL';
  return null;
}

/** Runs a PostgreSQL tool; as root, as the postgres user (initdb refuses root). */
function pgTool(args: string[]): void {
  const [command, ...rest] = args as [string, ...string[]];
  if (isRoot()) execFileSync('runuser', ['-u', 'postgres', '--', command, ...rest], { stdio: 'pipe' });
  else execFileSync(command, rest, { stdio: 'pipe' });
}

export class PrivatePostgres {
  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'chat-pg-'));
    if (isRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o700);
    pgTool(['initdb', '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    const pg = new PrivatePostgres(dir, await freePort());
    pg.start();
    return pg;
  }

  /** Starts the server and waits until it accepts connections. */
  start(): void {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    pgTool([
      'pg_ctl',
      '-D',
      join(this.dir, 'data'),
      '-o',
      options,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** `immediate`: as a crash (no checkpoint, connections cut); `fast`: a clean stop. */
  stop(mode: 'immediate' | 'fast' = 'immediate'): void {
    pgTool(['pg_ctl', '-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  dispose(): void {
    try {
      this.stop('immediate');
    } catch {
      // Already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts redis-server (no persistence) and waits until it says it is ready. */
  start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${String(code)}):\n${output}`));
      });
    });
  }

  /** kill -9 of redis-server: every connection drops at once, nothing is kept. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
  }
}
