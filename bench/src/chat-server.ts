import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type ServerProcess } from './child-process';

export interface ChatServerProcess extends ServerProcess {
  readonly wsUrl: string;
  readonly jwtSecret: string;
  /** The SQLite data directory; `stop()` keeps it (another server may open it), `dispose()` removes it. */
  readonly dataDir: string;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<number | null>;
}

let built: string | null = null;

/**
 * What `npm start` runs: the server bundle (apps/server/dist/main.js), built by
 * scripts/build.mjs once per bench run (a no-op when its stamp is current), so
 * the figures are the production build's, not the TypeScript loader's.
 */
function ensureServerBuilt(repoRoot: string): string {
  if (built) return built;
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${result.status})`);
  built = 'apps/server/dist/main.js';
  return built;
}

/**
 * Starts the real chat server (apps/server/dist/main.js, the bundle of apps/server/src/main.ts) as its own Node process
 * on a free loopback port with a fresh SQLite database, limits opened up so the
 * bench measures throughput rather than the rate limiter.
 */
export async function startChatServer(
  repoRoot: string,
  options: {
    synchronous?: 'FULL' | 'NORMAL';
    /** Reopen the data of an earlier server (same users and conversations) instead of a fresh database. */
    reuse?: { dataDir: string; jwtSecret: string };
    /** Write a V8 CPU profile of the server into this directory when it exits. */
    cpuProfDir?: string | null;
    /** Another build's dist/main.js (an earlier commit's, for before/after figures) instead of this tree's. */
    entry?: string;
    /** PostgreSQL instead of SQLite. */
    databaseUrl?: string;
    /** Redis fan-out, for several processes on one database (with `redisPrefix` of the run). */
    redis?: { url: string; prefix: string };
    /** The JWT secret, shared by processes that must accept the same tokens. */
    jwtSecret?: string;
    /** Listen on this port (a restart on the port the clients know) instead of a free one. */
    port?: number;
    /** More server environment (e.g. MAX_GROUP_MEMBERS), over the defaults below. */
    env?: Record<string, string>;
  } = {},
): Promise<ChatServerProcess> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'chat-bench-'));
  const jwtSecret = options.reuse?.jwtSecret ?? options.jwtSecret ?? randomBytes(32).toString('base64url');
  let server: ServerProcess;
  try {
    server = await startProcess({
      name: 'chat server',
      args: [
        ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
        '--enable-source-maps',
        options.entry ?? ensureServerBuilt(repoRoot),
      ],
      cwd: repoRoot,
      env: {
        PORT: String(options.port ?? 0),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        JWT_SECRET: jwtSecret,
        LOG_LEVEL: 'warn',
        WEB_DIST_DIR: '/nonexistent',
        AUTH_RATE_LIMIT: '0',
        RATE_LIMIT_MESSAGES_PER_SEC: '100000',
        RATE_LIMIT_BURST: '100000',
        // Provisioning creates many conversations and users a minute from few accounts.
        RATE_LIMIT_REST_PER_MIN: '0',
        RATE_LIMIT_GROUPS_PER_MIN: '1000000',
        RATE_LIMIT_USERS_PER_MIN: '1000000',
        FLOOD_CLOSE_THRESHOLD: '100000',
        // The load comes from one address: the per-address cap would refuse it.
        MAX_CONNECTIONS_PER_ADDRESS: '1000000',
        SQLITE_SYNCHRONOUS: options.synchronous ?? 'FULL',
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        ...(options.redis ? { REDIS_URL: options.redis.url, REDIS_PREFIX: options.redis.prefix } : {}),
        ...options.env,
      },
      ready: /Chat is running at (http:\/\/\S+)/,
    });
  } catch (error) {
    if (!options.reuse) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    get pid() {
      return server.pid;
    },
    get url() {
      return server.url;
    },
    get crash() {
      return server.crash;
    },
    get stderrTail() {
      return server.stderrTail;
    },
    stop: (timeoutMs) => server.stop(timeoutMs),
    wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`,
    jwtSecret,
    dataDir,
    async dispose() {
      const code = await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
