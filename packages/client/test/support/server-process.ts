import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '@chat/testkit';
import type { ServerProcess as ChildServer } from '@chat/testkit';

/** What the tests need to know of a server running in its own process. */
export interface ServerAddress {
  port: number;
  url: string;
  wsUrl: string;
}

/**
 * A real chat server in a process of its own, for suites whose environment
 * cannot host it (happy-dom replaces Node's URL, fetch, ...): the production
 * entry point on its own SQLite, reached over loopback sockets. `stop()` is a
 * SIGTERM (a graceful stop: sockets closed with 1001); `start()` brings a new
 * process up on the same port and data.
 */
export class ServerProcess implements ServerAddress {
  private constructor(
    private current: ChildServer | null,
    private readonly env: Record<string, string>,
    readonly dataDir: string,
    readonly port: number,
    readonly url: string,
    readonly wsUrl: string,
  ) {}

  /** `env` goes over the test defaults of `startServerProcess`. */
  static async start(env: Record<string, string> = {}): Promise<ServerProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-client-test-'));
    const serverEnv = { SQLITE_SYNCHRONOUS: 'NORMAL', ...env, DATA_DIR: dataDir };
    try {
      const child = await startServerProcess(serverEnv);
      return new ServerProcess(child, serverEnv, dataDir, child.port, child.url, child.wsUrl);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.current?.kill('SIGTERM');
    this.current = null;
  }

  async start(): Promise<void> {
    this.current ??= await startServerProcess({ ...this.env, PORT: String(this.port) });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
