import type { Database } from 'better-sqlite3';
import type { Agent, User } from '@chat/protocol';
import type { AgentChanges, NewAgent } from '../storage';
import { toUser, type UserRow } from './rows';

interface AgentRow {
  id: string;
  display_name: string;
  owner_id: string;
  description: string | null;
  public: 0 | 1;
  webhook_url: string | null;
  webhook_active: 0 | 1;
  created_at: string;
}

const AGENT_SELECT = `SELECT u.id, u.display_name, a.owner_id, a.description, a.public, a.webhook_url,
    a.webhook_active, a.created_at
  FROM agents a JOIN users u ON u.id = a.user_id`;

function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    email: null,
    display_name: row.display_name,
    is_agent: true,
    owner_id: row.owner_id,
    description: row.description,
    public: row.public === 1,
    webhook_url: row.webhook_url,
    webhook_active: row.webhook_active === 1,
    created_at: row.created_at,
  };
}

/**
 * Agents (section 14): a users row with is_agent = 1 and no e-mail ('' in the
 * NOT NULL column, see 006_agents.sql) plus its agents row. Plain synchronous
 * functions; sqlite-storage.ts runs each in a transaction.
 */
export function agentQueries(db: Database) {
  const insertUser = db.prepare<[{ id: string; display_name: string; now: string }]>(
    `INSERT INTO users (id, email, display_name, is_agent, created_at, updated_at)
     VALUES (:id, '', :display_name, 1, :now, :now)`,
  );
  const insertAgent = db.prepare<
    [
      {
        id: string;
        owner_id: string;
        description: string | null;
        public: 0 | 1;
        api_key_hash: string;
        webhook_secret_sealed: string;
        now: string;
      },
    ]
  >(
    `INSERT INTO agents (user_id, owner_id, description, public, api_key_hash, webhook_secret_sealed, created_at)
     VALUES (:id, :owner_id, :description, :public, :api_key_hash, :webhook_secret_sealed, :now)`,
  );
  const byId = db.prepare<[string], AgentRow>(`${AGENT_SELECT} WHERE a.user_id = ?`);
  const byOwner = db.prepare<[string], AgentRow>(
    `${AGENT_SELECT} WHERE a.owner_id = ? ORDER BY a.created_at, a.user_id`,
  );
  const renameUser = db.prepare<[string, string, string]>(
    'UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?',
  );
  const setDescription = db.prepare<[string | null, string]>(
    'UPDATE agents SET description = ? WHERE user_id = ?',
  );
  const setPublic = db.prepare<[0 | 1, string]>('UPDATE agents SET public = ? WHERE user_id = ?');
  const setWebhook = db.prepare<[string | null, string]>(
    'UPDATE agents SET webhook_url = ?, webhook_active = 1 WHERE user_id = ?',
  );
  const setKey = db.prepare<[string, string]>('UPDATE agents SET api_key_hash = ? WHERE user_id = ?');
  const remove = db.prepare<[string]>('DELETE FROM agents WHERE user_id = ?');
  const userByKey = db.prepare<[string], UserRow>(
    'SELECT * FROM users WHERE id = (SELECT user_id FROM agents WHERE api_key_hash = ?)',
  );

  return {
    createAgent(agent: NewAgent): Agent {
      const now = agent.now.toISOString();
      insertUser.run({ id: agent.id, display_name: agent.display_name, now });
      insertAgent.run({
        id: agent.id,
        owner_id: agent.owner_id,
        description: agent.description,
        public: agent.public ? 1 : 0,
        api_key_hash: agent.api_key_hash,
        webhook_secret_sealed: agent.webhook_secret_sealed,
        now,
      });
      return toAgent(byId.get(agent.id)!);
    },

    getAgent(id: string): Agent | null {
      const row = byId.get(id);
      return row ? toAgent(row) : null;
    },

    listAgents(ownerId: string): Agent[] {
      return byOwner.all(ownerId).map(toAgent);
    },

    updateAgent(id: string, changes: AgentChanges, now: Date): Agent | null {
      if (!byId.get(id)) return null;
      if (changes.display_name !== undefined) renameUser.run(changes.display_name, now.toISOString(), id);
      if (changes.description !== undefined) setDescription.run(changes.description, id);
      if (changes.public !== undefined) setPublic.run(changes.public ? 1 : 0, id);
      if (changes.webhook_url !== undefined) setWebhook.run(changes.webhook_url, id);
      return toAgent(byId.get(id)!);
    },

    replaceAgentKey(id: string, apiKeyHash: string): boolean {
      return setKey.run(apiKeyHash, id).changes > 0;
    },

    deleteAgent(id: string): boolean {
      return remove.run(id).changes > 0;
    },

    agentUserByKeyHash(apiKeyHash: string): User | null {
      const row = userByKey.get(apiKeyHash);
      return row ? toUser(row) : null;
    },
  };
}
