import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '@chat/testkit';

/**
 * The settings every scenario shares over the test defaults (the shared test
 * JWT secret, which the client suite's tokens are signed with): limits raised
 * out of the way of storms, NORMAL sync (durable against a process crash,
 * which is what kill -9 is). The REST limit is off: after each scenario the
 * harness reads every conversation back in pages of 100 as the same users, and
 * a suite that runs several scenarios on one world within a minute passed the
 * 600 requests a minute (a 429 in the cluster's rolling restart).
 */
const BASE_ENV: Record<string, string> = {
  RATE_LIMIT_MESSAGES_PER_SEC: '100000',
  RATE_LIMIT_BURST: '100000',
  RATE_LIMIT_REST_PER_MIN: '0',
  FLOOD_CLOSE_THRESHOLD: '100000',
  SQLITE_SYNCHRONOUS: 'NORMAL',
};

/**
 * A real server process (`node --import tsx apps/server/src/main.ts`) on one
 * data directory that outlives it: kill -9 or SIGTERM it, start it again on the
 * same port and data, read its RSS and metrics. The port is picked on the first
 * start and kept, so clients reconnect to the address they know.
 */
export class FaultServer {
  private current: ServerProcess | null = null;
  private port = 0;
  /** How many times a process was started. */
  starts = 0;

  private constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<FaultServer> {
    const server = new FaultServer(mkdtempSync(join(tmpdir(), 'chat-faults-')), env);
    await server.start();
    return server;
  }

  get running(): boolean {
    return this.current !== null;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get tcpPort(): number {
    return this.port;
  }

  /** The SQLite file (with its -wal and -shm beside it). */
  get dbPath(): string {
    return join(this.dataDir, 'chat.db');
  }

  get pid(): number {
    const pid = this.process().child.pid;
    if (pid === undefined) throw new Error('the server process has no pid');
    return pid;
  }

  async start(): Promise<void> {
    if (this.current) return;
    this.current = await startServerProcess({
      ...BASE_ENV,
      ...this.env,
      DATA_DIR: this.dataDir,
      PORT: String(this.port),
    });
    this.port = this.current.port;
    this.starts++;
  }

  /** kill -9: no shutdown code runs; what was committed is all that survives. */
  async kill9(): Promise<void> {
    await this.process().kill('SIGKILL');
    this.current = null;
  }

  /** SIGSTOP: the process stays, holding its sockets, and does nothing until killed or continued. */
  freeze(): void {
    process.kill(this.pid, 'SIGSTOP');
  }

  /** SIGTERM: graceful shutdown; resolves with the exit code. */
  async sigterm(): Promise<number | NodeJS.Signals | null> {
    const code = await this.process().kill('SIGTERM');
    this.current = null;
    return code;
  }

  /** The resident set of the server process, in MiB (Linux /proc). */
  rssMb(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  /** The Prometheus text of GET /metrics. */
  metrics(): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}/metrics`, { agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** One sample of a metric, e.g. `metric('chat_server_closes_total', { code: '1013' })`; 0 when absent. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return metricValue(await this.metrics(), name, labels);
  }

  async dispose(): Promise<void> {
    if (this.current) await this.current.kill('SIGKILL');
    this.current = null;
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private process(): ServerProcess {
    if (!this.current) throw new Error('the server is not running');
    return this.current;
  }
}

/** Reads one sample out of Prometheus text; labels not named are ignored. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
