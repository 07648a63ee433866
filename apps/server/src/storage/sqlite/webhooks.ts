import type { Database } from 'better-sqlite3';
import type { ClaimedWebhookDelivery, NewWebhookDelivery, StoredWebhookDelivery } from '../storage';

interface ClaimRow extends StoredWebhookDelivery {
  webhook_url: string | null;
  webhook_secret_sealed: string | null;
  webhook_active: 0 | 1 | null;
}

/** The webhook delivery queue (section 14). Plain synchronous functions; sqlite-storage.ts runs each in a transaction. */
export function webhookQueries(db: Database) {
  const recipients = db.prepare<[string, string], string>(
    `SELECT a.user_id FROM conversation_members cm JOIN agents a ON a.user_id = cm.user_id
     WHERE cm.conversation_id = ? AND cm.user_id <> ? AND a.webhook_url IS NOT NULL AND a.webhook_active = 1
     ORDER BY a.user_id`,
  );
  const insert = db.prepare<[{ id: string; agent_id: string; payload: string; now: string }]>(
    `INSERT INTO webhook_deliveries (id, agent_id, payload, attempts, next_attempt_at, created_at)
     VALUES (:id, :agent_id, :payload, 0, :now, :now) ON CONFLICT (id) DO NOTHING`,
  );
  const due = db.prepare<[string, number], ClaimRow>(
    `SELECT d.id, d.agent_id, d.payload, d.attempts, d.next_attempt_at, d.created_at,
       a.webhook_url, a.webhook_secret_sealed, a.webhook_active
     FROM webhook_deliveries d LEFT JOIN agents a ON a.user_id = d.agent_id
     WHERE d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`,
  );
  const lease = db.prepare<[string, string]>(
    'UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?',
  );
  const reschedule = db.prepare<[string, string, number]>(
    'UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND attempts = ?',
  );
  const remove = db.prepare<[string]>('DELETE FROM webhook_deliveries WHERE id = ?');
  const removeOfAgent = db.prepare<[string]>('DELETE FROM webhook_deliveries WHERE agent_id = ?');
  const turnOff = db.prepare<[string]>('UPDATE agents SET webhook_active = 0 WHERE user_id = ?');
  const ofAgent = db.prepare<[string], StoredWebhookDelivery>(
    `SELECT id, agent_id, payload, attempts, next_attempt_at, created_at FROM webhook_deliveries
     WHERE agent_id = ? ORDER BY created_at, id`,
  );

  return {
    webhookRecipients(conversationId: string, senderId: string): string[] {
      return recipients.pluck().all(conversationId, senderId);
    },

    enqueueWebhookDeliveries(deliveries: readonly NewWebhookDelivery[]): void {
      for (const { now, ...delivery } of deliveries) insert.run({ ...delivery, now: now.toISOString() });
    },

    claimWebhookDeliveries(input: { now: Date; lease_until: Date; limit: number }): ClaimedWebhookDelivery[] {
      const leaseUntil = input.lease_until.toISOString();
      return due.all(input.now.toISOString(), input.limit).map((row) => {
        lease.run(leaseUntil, row.id);
        const { webhook_url, webhook_secret_sealed, webhook_active, ...delivery } = row;
        return {
          ...delivery,
          attempts: delivery.attempts + 1,
          next_attempt_at: leaseUntil,
          webhook:
            webhook_url !== null && webhook_secret_sealed !== null && webhook_active === 1
              ? { url: webhook_url, secret_sealed: webhook_secret_sealed }
              : null,
        };
      });
    },

    rescheduleWebhookDelivery(input: { id: string; attempts: number; next_attempt_at: Date }): boolean {
      return reschedule.run(input.next_attempt_at.toISOString(), input.id, input.attempts).changes > 0;
    },

    deleteWebhookDelivery(id: string): void {
      remove.run(id);
    },

    turnOffWebhook(agentId: string): void {
      turnOff.run(agentId);
      removeOfAgent.run(agentId);
    },

    webhookDeliveriesOf(agentId: string): StoredWebhookDelivery[] {
      return ofAgent.all(agentId);
    },
  };
}
