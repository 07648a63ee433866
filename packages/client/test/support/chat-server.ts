/**
 * A REAL chat server in this process, on a loopback port, with its own SQLite in
 * a temp dir. Nothing in these suites mocks a socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '@chat/server';
import type { ChatServer, ServerConfig } from '@chat/server';
import { JWT_SECRET } from './tokens';

export interface TestServer {
  readonly server: ChatServer;
  /** Graceful stop (sockets closed with 1001); `start()` brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-client-test-'));
  const config: Partial<ServerConfig> = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    jwtSecret: JWT_SECRET,
    logLevel: 'silent',
    webDistDir: null,
    authRateLimit: 0,
    // Suites make many requests per user; the REST limits have a test of their own (rate-limits.test.ts).
    restRateLimitPerMin: 0,
    sqliteSynchronous: 'NORMAL',
    ...overrides,
  };
  let server: ChatServer | null = await createServer(config);
  let port = server.port;
  const handle: TestServer = {
    get server() {
      if (!server) throw new Error('the test server is stopped');
      return server;
    },
    async stop() {
      await server?.close();
      server = null;
    },
    async start() {
      server ??= await createServer({ ...config, port });
      port = server.port;
    },
    async dispose() {
      await server?.close();
      server = null;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
