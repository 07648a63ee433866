import type pg from 'pg';
import type { ClaimedWebhookDelivery, NewWebhookDelivery, StoredWebhookDelivery } from '../storage';
import { inTransaction, iso } from './database';

interface DeliveryRow {
  id: string;
  agent_id: string;
  payload: string;
  attempts: number;
  next_attempt_at: Date | string;
  created_at: Date | string;
}

interface ClaimRow extends DeliveryRow {
  webhook_url: string | null;
  webhook_secret_sealed: string | null;
  webhook_active: boolean | null;
}

function toDelivery(row: DeliveryRow): StoredWebhookDelivery {
  return {
    id: row.id,
    agent_id: row.agent_id,
    payload: row.payload,
    attempts: row.attempts,
    next_attempt_at: iso(row.next_attempt_at),
    created_at: iso(row.created_at),
  };
}

/**
 * The webhook delivery queue (section 14). A claim locks the due rows with
 * `FOR UPDATE SKIP LOCKED` and moves them to the end of their lease in the same
 * statement, so processes claiming at once each get rows of their own.
 */
export function webhookQueries(pool: pg.Pool) {
  return {
    async webhookRecipients(conversationId: string, senderId: string): Promise<string[]> {
      const { rows } = await pool.query<{ user_id: string }>(
        `SELECT a.user_id FROM conversation_members cm JOIN agents a ON a.user_id = cm.user_id
         WHERE cm.conversation_id = $1 AND cm.user_id <> $2 AND a.webhook_url IS NOT NULL AND a.webhook_active
         ORDER BY a.user_id`,
        [conversationId, senderId],
      );
      return rows.map((row) => row.user_id);
    },

    async enqueueWebhookDeliveries(deliveries: readonly NewWebhookDelivery[]): Promise<void> {
      if (deliveries.length === 0) return;
      await pool.query(
        `INSERT INTO webhook_deliveries (id, agent_id, payload, attempts, next_attempt_at, created_at)
         SELECT id, agent_id, payload, 0, now, now
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS d (id, agent_id, payload, now)
         ON CONFLICT (id) DO NOTHING`,
        [
          deliveries.map((d) => d.id),
          deliveries.map((d) => d.agent_id),
          deliveries.map((d) => d.payload),
          deliveries.map((d) => d.now),
        ],
      );
    },

    async claimWebhookDeliveries(input: {
      now: Date;
      lease_until: Date;
      limit: number;
    }): Promise<ClaimedWebhookDelivery[]> {
      const { rows } = await pool.query<ClaimRow>(
        `WITH due AS (
           SELECT id FROM webhook_deliveries WHERE next_attempt_at <= $1
           ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2
           FROM due WHERE d.id = due.id
           RETURNING d.id, d.agent_id, d.payload, d.attempts, d.next_attempt_at, d.created_at
         )
         SELECT c.*, a.webhook_url, a.webhook_secret_sealed, a.webhook_active
         FROM claimed c LEFT JOIN agents a ON a.user_id = c.agent_id
         ORDER BY c.created_at, c.id`,
        [input.now, input.lease_until, input.limit],
      );
      return rows.map((row) => ({
        ...toDelivery(row),
        webhook:
          row.webhook_url !== null && row.webhook_secret_sealed !== null && row.webhook_active === true
            ? { url: row.webhook_url, secret_sealed: row.webhook_secret_sealed }
            : null,
      }));
    },

    async rescheduleWebhookDelivery(input: {
      id: string;
      attempts: number;
      next_attempt_at: Date;
    }): Promise<boolean> {
      const result = await pool.query(
        'UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND attempts = $3',
        [input.next_attempt_at, input.id, input.attempts],
      );
      return (result.rowCount ?? 0) > 0;
    },

    async deleteWebhookDelivery(id: string): Promise<void> {
      await pool.query('DELETE FROM webhook_deliveries WHERE id = $1', [id]);
    },

    async turnOffWebhook(agentId: string): Promise<void> {
      await inTransaction(pool, 'write', async (client) => {
        await client.query('UPDATE agents SET webhook_active = false WHERE user_id = $1', [agentId]);
        await client.query('DELETE FROM webhook_deliveries WHERE agent_id = $1', [agentId]);
      });
    },

    async webhookDeliveriesOf(agentId: string): Promise<StoredWebhookDelivery[]> {
      const { rows } = await pool.query<DeliveryRow>(
        `SELECT id, agent_id, payload, attempts, next_attempt_at, created_at FROM webhook_deliveries
         WHERE agent_id = $1 ORDER BY created_at, id`,
        [agentId],
      );
      return rows.map(toDelivery);
    },
  };
}
