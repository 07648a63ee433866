import type pg from 'pg';
import type { Agent, User } from '@chat/protocol';
import type { AgentChanges, NewAgent } from '../storage';
import { inTransaction, iso, type Queryable } from './database';
import { USER_COLUMNS, toUser, type UserRow } from './rows';

interface AgentRow {
  id: string;
  display_name: string;
  owner_id: string;
  description: string | null;
  public: boolean;
  webhook_url: string | null;
  webhook_active: boolean;
  created_at: Date;
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
    public: row.public,
    webhook_url: row.webhook_url,
    webhook_active: row.webhook_active,
    created_at: iso(row.created_at),
  };
}

async function agentById(db: Queryable, id: string): Promise<Agent | null> {
  const { rows } = await db.query<AgentRow>(`${AGENT_SELECT} WHERE a.user_id = $1`, [id]);
  return rows[0] ? toAgent(rows[0]) : null;
}

/**
 * Agents (section 14): a users row with is_agent = true and no e-mail ('' in
 * the NOT NULL column, see 006_agents.sql) plus its agents row. Writes of both
 * tables run in one transaction.
 */
export function agentQueries(pool: pg.Pool) {
  return {
    createAgent(agent: NewAgent): Promise<Agent> {
      return inTransaction(pool, 'write', async (client) => {
        await client.query(
          `INSERT INTO users (id, email, display_name, search_name, is_agent, created_at, updated_at)
           VALUES ($1, '', $2, $3, true, $4, $4)`,
          [agent.id, agent.display_name, agent.display_name.toLowerCase(), agent.now],
        );
        await client.query(
          `INSERT INTO agents (user_id, owner_id, description, public, api_key_hash, webhook_secret_sealed,
             created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            agent.id,
            agent.owner_id,
            agent.description,
            agent.public,
            agent.api_key_hash,
            agent.webhook_secret_sealed,
            agent.now,
          ],
        );
        return (await agentById(client, agent.id))!;
      });
    },

    getAgent: (id: string): Promise<Agent | null> => agentById(pool, id),

    async listAgents(ownerId: string): Promise<Agent[]> {
      const { rows } = await pool.query<AgentRow>(
        `${AGENT_SELECT} WHERE a.owner_id = $1 ORDER BY a.created_at, a.user_id COLLATE "C"`,
        [ownerId],
      );
      return rows.map(toAgent);
    },

    updateAgent(id: string, changes: AgentChanges, now: Date): Promise<Agent | null> {
      return inTransaction(pool, 'write', async (client) => {
        const found = await client.query('SELECT 1 FROM agents WHERE user_id = $1 FOR UPDATE', [id]);
        if (found.rowCount === 0) return null;
        if (changes.display_name !== undefined) {
          await client.query(
            'UPDATE users SET display_name = $1, search_name = $2, updated_at = $3 WHERE id = $4',
            [changes.display_name, changes.display_name.toLowerCase(), now, id],
          );
        }
        // A flag beside each nullable value tells "leave it" from "set it to null".
        await client.query(
          `UPDATE agents SET
             description = CASE WHEN $2::boolean THEN $3::text ELSE description END,
             public = COALESCE($4::boolean, public),
             webhook_url = CASE WHEN $5::boolean THEN $6::text ELSE webhook_url END,
             webhook_active = CASE WHEN $5::boolean THEN true ELSE webhook_active END
           WHERE user_id = $1`,
          [
            id,
            changes.description !== undefined,
            changes.description ?? null,
            changes.public ?? null,
            changes.webhook_url !== undefined,
            changes.webhook_url ?? null,
          ],
        );
        return agentById(client, id);
      });
    },

    async replaceAgentKey(id: string, apiKeyHash: string): Promise<boolean> {
      const result = await pool.query('UPDATE agents SET api_key_hash = $1 WHERE user_id = $2', [
        apiKeyHash,
        id,
      ]);
      return (result.rowCount ?? 0) > 0;
    },

    async deleteAgent(id: string): Promise<boolean> {
      const result = await pool.query('DELETE FROM agents WHERE user_id = $1', [id]);
      return (result.rowCount ?? 0) > 0;
    },

    async agentUserByKeyHash(apiKeyHash: string): Promise<User | null> {
      const { rows } = await pool.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE id = (SELECT user_id FROM agents WHERE api_key_hash = $1)`,
        [apiKeyHash],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },
  };
}
