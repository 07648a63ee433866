import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess, type ServerProcess } from '@chat/testkit';

const WEB_DIST = fileURLToPath(new URL('../../apps/web/dist', import.meta.url));

/**
 * The real server with the built web app, in its own process, on one loopback
 * port that survives restarts (the pages keep their origin).
 */
export class E2eServer {
  url = '';
  private proc: ServerProcess | null = null;
  private port = 0;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'chat-e2e-'));

  /** Whether the server process is up (started and not stopped). */
  get running(): boolean {
    return this.proc !== null && this.proc.child.exitCode === null;
  }

  /** Starts the server; a no-op while it runs. */
  async start(): Promise<void> {
    if (this.running) return;
    this.proc = await startServerProcess(
      {
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        WEB_DIST_DIR: WEB_DIST,
        // People sign up in the app: embedded auth with the secret it keeps in DATA_DIR.
        JWT_SECRET: '',
      },
      { echoStderr: true },
    );
    this.url = this.proc.url;
    this.port = this.proc.port;
  }

  /**
   * What the running process has written so far (pino's JSON lines): without SMTP the embedded
   * auth logs recovery links there (`recovery_link`), as it would for an operator.
   */
  output(): string {
    return this.proc?.output() ?? '';
  }

  /** SIGTERM, as a deploy does; resolves when the process is gone. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.child.exitCode !== null) return;
    await proc.kill('SIGTERM');
    this.proc = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
