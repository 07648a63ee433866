import { randomBytes, randomUUID } from 'node:crypto';
import { TEST_REDIS_URL } from '@chat/testkit';
import { startBareServer } from './bare-server';
import { startChatServer, type ChatServerProcess } from './chat-server';
import { serverFailures } from './context';
import type { Member } from './fan-out-load';
import { createGroups, provisionUsers } from './provision';
import { postgresEngine } from './scenarios/search';
import { mintUsers } from './tokens';

/**
 * A server (or several processes of one) the saturation scenario loads: where
 * each socket connects, how members of conversations are made, and the pids
 * whose CPU it costs.
 */
export interface SaturationServer {
  /** Short name in tables and the chart: `bare ws`, `SQLite`, `PostgreSQL ×2`. */
  label: string;
  pids: number[];
  wsUrl(memberIndex: number): string;
  /** `connections` members in conversations of `groupSize`, created on the server. */
  members(connections: number, groupSize: number): Promise<Member[]>;
  /** Crashes while running or an unclean exit, as failure messages. */
  crash(): string | null;
  stop(): Promise<string[]>;
}

export async function startBare(repoRoot: string): Promise<SaturationServer> {
  const server = await startBareServer(repoRoot);
  return {
    label: 'bare ws',
    pids: [server.pid],
    wsUrl: () => server.url,
    // The bare server has no users: any token, any conversation id.
    members: async (connections, groupSize) => {
      const rooms = Array.from({ length: Math.ceil(connections / groupSize) }, () => randomUUID());
      return Array.from({ length: connections }, (_, index) => ({
        token: 'bare',
        conversationId: rooms[Math.floor(index / groupSize)] as string,
      }));
    },
    crash: () => server.crash,
    stop: async () => serverFailures('saturation bare ws', server, await server.stop()),
  };
}

/** Chat server processes on one database; sockets round-robin over them. */
export function chatServers(
  label: string,
  servers: ChatServerProcess[],
  jwtSecret: string,
  cleanup = async () => {},
) {
  const first = servers[0]!;
  let batch = 0;
  const target: SaturationServer = {
    label,
    pids: servers.map((server) => server.pid),
    wsUrl: (index) => servers[index % servers.length]!.wsUrl,
    members: async (connections, groupSize) => {
      const users = await mintUsers(jwtSecret, connections, `saturation-${batch++}`);
      await provisionUsers(first.url, users);
      const conversationIds = await createGroups(first.url, users, groupSize);
      return users.map((user, index) => ({
        token: user.token,
        conversationId: conversationIds[index] as string,
      }));
    },
    crash: () => servers.find((server) => server.crash)?.crash ?? null,
    stop: async () => {
      const failures: string[] = [];
      for (const [index, server] of servers.entries()) {
        failures.push(
          ...serverFailures(`saturation ${label} process ${index + 1}`, server, await server.dispose()),
        );
      }
      await cleanup();
      return failures;
    },
  };
  return target;
}

export async function startSqliteChat(
  repoRoot: string,
  cpuProfDir: string | null,
): Promise<SaturationServer> {
  const server = await startChatServer(repoRoot, { cpuProfDir });
  return chatServers('SQLite', [server], server.jwtSecret);
}

/**
 * `processes` chat servers on a fresh PostgreSQL schema and one Redis prefix
 * (as scenario 6 runs them); null when PostgreSQL is not reachable.
 */
export async function startPostgresChat(
  repoRoot: string,
  processes: number,
  cpuProfDir: string | null,
): Promise<SaturationServer | null> {
  const engine = await postgresEngine();
  if (!engine?.databaseUrl) return null;
  const jwtSecret = randomBytes(32).toString('base64url');
  const redis = { url: TEST_REDIS_URL, prefix: `bench-sat-${randomUUID().slice(0, 8)}:` };
  const servers: ChatServerProcess[] = [];
  try {
    // One at a time: the first migrates the schema, the others find it done.
    for (let i = 0; i < processes; i++) {
      servers.push(
        await startChatServer(repoRoot, { databaseUrl: engine.databaseUrl, redis, jwtSecret, cpuProfDir }),
      );
    }
  } catch (error) {
    for (const server of servers) await server.dispose();
    await engine.cleanup();
    throw error;
  }
  return chatServers(`PostgreSQL ×${processes}`, servers, jwtSecret, engine.cleanup);
}
