import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'apps/server/src/main.ts');
const WEB_DIST = join(ROOT, 'apps/web/dist');

/**
 * The real server with the built web app, in its own process, on one loopback
 * port that survives restarts (the pages keep their origin).
 */
export class E2eServer {
  url = '';
  private child: ChildProcess | null = null;
  private port = 0;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'chat-e2e-'));

  /** Whether the server process is up (started and not stopped). */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  /** Starts the server; a no-op while it runs. */
  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        WEB_DIST_DIR: WEB_DIST,
        LOG_LEVEL: 'warn',
        AUTH_RATE_LIMIT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Chat is running at (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        process.stderr.write(chunk);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${code}) before starting:\n${output}`));
      });
    });
    this.port = Number(new URL(this.url).port);
  }

  /** SIGTERM, as a deploy does; resolves when the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
