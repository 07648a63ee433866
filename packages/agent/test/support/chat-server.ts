/**
 * A REAL chat server in this process, on a loopback port, with its own SQLite in a temp dir
 * (as packages/client's suites start it). Nothing here mocks a socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '@chat/server';
import type { ChatServer } from '@chat/server';
import { TEST_JWT_SECRET } from '@chat/testkit';

export interface TestChatServer {
  readonly server: ChatServer;
  dispose(): Promise<void>;
}

export async function startChatServer(): Promise<TestChatServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-agent-test-'));
  const server = await createServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    jwtSecret: TEST_JWT_SECRET,
    logLevel: 'silent',
    webDistDir: null,
    authRateLimit: 0,
    restRateLimitPerMin: 0,
    sqliteSynchronous: 'NORMAL',
  });
  return {
    server,
    async dispose() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
