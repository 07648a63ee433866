import type { Agent, CreateAgentRequest, CreateAgentResponse } from '@chat/protocol';
import { httpJson } from '@chat/testkit';
import type { ChatServer } from '../../src/index';
import { withDatabase } from './protocol';
import { queryDatabase } from './postgres';
import type { TestServer } from './test-server';
import { TestSocket } from './test-socket';

/**
 * Agents (section 14) for the suites: made over REST by their owner, signed
 * in on /ws with their API key, and their stored row read under the wire.
 */

/** An agent as its owner just created it: its key and webhook secret, shown this once. */
export interface TestAgent {
  agent: Agent;
  apiKey: string;
  webhookSecret: string;
}

/** `POST /api/agents` by `owner` (a person's token); throws on a refusal. */
export async function createAgent(
  server: { url: string },
  owner: { token: string },
  body: Partial<CreateAgentRequest> = {},
): Promise<TestAgent> {
  const created = (await httpJson(server, owner.token, 'POST', '/api/agents', {
    display_name: 'Helper Bot',
    ...body,
  })) as CreateAgentResponse;
  return { agent: created.agent, apiKey: created.api_key, webhookSecret: created.webhook_secret };
}

/** A socket authenticated with the agent's API key. */
export async function connectAgent(server: ChatServer, apiKey: string): Promise<TestSocket> {
  const socket = await TestSocket.open(server.wsUrl);
  const reply = await socket.request({ type: 'authenticate', api_key: apiKey });
  if (reply.type !== 'authenticated') throw new Error(`authenticate failed: ${JSON.stringify(reply)}`);
  return socket;
}

/** What the database holds of an agent's secrets. */
export interface StoredAgentSecrets {
  api_key_hash: string;
  webhook_secret_sealed: string;
}

/** The agent's stored row (SQLite file or the PostgreSQL schema of the server); null when none. */
export async function storedAgentSecrets(
  harness: TestServer,
  agentId: string,
): Promise<StoredAgentSecrets | null> {
  const sql = 'SELECT api_key_hash, webhook_secret_sealed FROM agents WHERE user_id = ';
  const databaseUrl = harness.server.config.databaseUrl;
  if (databaseUrl) {
    const result = await queryDatabase(databaseUrl, `${sql}$1`, [agentId]);
    return (result.rows[0] as StoredAgentSecrets | undefined) ?? null;
  }
  return withDatabase(
    harness.dataDir,
    (db) => (db.prepare(`${sql}?`).get(agentId) as StoredAgentSecrets | undefined) ?? null,
  );
}

/**
 * Replaces the agent's key hash under the wire, as `POST /api/agents/:id/keys`
 * does but without its broker event: a replacement whose event was lost.
 */
export async function replaceStoredKeyHash(
  harness: TestServer,
  agentId: string,
  hash: string,
): Promise<void> {
  const databaseUrl = harness.server.config.databaseUrl;
  if (databaseUrl) {
    await queryDatabase(databaseUrl, 'UPDATE agents SET api_key_hash = $1 WHERE user_id = $2', [
      hash,
      agentId,
    ]);
    return;
  }
  withDatabase(harness.dataDir, (db) =>
    db.prepare('UPDATE agents SET api_key_hash = ? WHERE user_id = ?').run(hash, agentId),
  );
}
