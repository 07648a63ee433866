import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_JWT_SECRET } from '@chat/testkit';
import { createServer, type ChatServer, type ServerConfig, type ServerParts } from '../../src/index';
import { createTestSchema, usePostgres } from './postgres';

export { TEST_JWT_SECRET };

export interface TestServer {
  server: ChatServer;
  dataDir: string;
  /** Graceful stop, then a new server on the same data and port. */
  restart(overrides?: Partial<ServerConfig>): Promise<ChatServer>;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

/**
 * A real server on a loopback port with its own SQLite file in a temp dir.
 * `parts` hands it a clock (a testkit ManualClock, to move time by hand) or a
 * broker and presence shared with other servers of the same test.
 */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  parts: ServerParts = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-test-'));
  // TEST_STORAGE=postgres runs the same suites on a fresh PostgreSQL schema.
  const schema = usePostgres && !overrides.databaseUrl ? await createTestSchema() : null;
  const base: Partial<ServerConfig> = {
    ...(schema ? { databaseUrl: schema.databaseUrl } : {}),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    jwtSecret: TEST_JWT_SECRET,
    logLevel: 'silent',
    webDistDir: null,
    authRateLimit: 0,
    // Suites make many requests per user; the REST limits have a test of their own (rate-limits.test.ts).
    restRateLimitPerMin: 0,
    // Tests make hundreds of requests; fsync per commit only slows them down.
    sqliteSynchronous: 'NORMAL',
    ...overrides,
  };
  const handle: TestServer = {
    server: await createServer(base, parts),
    dataDir,
    async restart(more = {}) {
      const port = handle.server.port;
      await handle.server.close();
      handle.server = await createServer({ ...base, port, ...more }, parts);
      return handle.server;
    },
    async dispose() {
      await handle.server.close();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
