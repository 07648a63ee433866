import type pg from 'pg';
import type { NewPushSubscription, PushAudience, StoredPushSubscription } from '../storage';
import { isoOrNull } from './database';

/** Web Push subscriptions (section 13) and what a push needs to know of a conversation. */
export function pushQueries(pool: pg.Pool) {
  return {
    async savePushSubscription(subscription: NewPushSubscription): Promise<void> {
      await pool.query(
        `INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh,
           auth = excluded.auth, created_at = excluded.created_at`,
        [
          subscription.endpoint,
          subscription.user_id,
          subscription.p256dh,
          subscription.auth,
          subscription.now,
        ],
      );
    },

    async deletePushSubscription(input: { user_id: string; endpoint: string }): Promise<boolean> {
      const result = await pool.query('DELETE FROM push_subscriptions WHERE endpoint = $1 AND user_id = $2', [
        input.endpoint,
        input.user_id,
      ]);
      return (result.rowCount ?? 0) > 0;
    },

    async deletePushEndpoint(endpoint: string): Promise<boolean> {
      const result = await pool.query('DELETE FROM push_subscriptions WHERE endpoint = $1', [endpoint]);
      return (result.rowCount ?? 0) > 0;
    },

    async pushSubscriptionsOf(userIds: readonly string[]): Promise<StoredPushSubscription[]> {
      if (userIds.length === 0) return [];
      const { rows } = await pool.query<StoredPushSubscription>(
        `SELECT endpoint, user_id, p256dh, auth FROM push_subscriptions
         WHERE user_id = ANY($1::text[]) ORDER BY user_id, created_at, endpoint`,
        [userIds],
      );
      return rows;
    },

    async pushAudience(conversationId: string): Promise<PushAudience | null> {
      // One statement: the title and the members read in one snapshot.
      const { rows } = await pool.query<{
        title: string | null;
        user_id: string | null;
        display_name: string | null;
        muted_until: Date | null;
        subscribed: boolean;
      }>(
        `SELECT c.title, cm.user_id, u.display_name, cm.muted_until,
           EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = cm.user_id) AS subscribed
         FROM conversations c
         LEFT JOIN conversation_members cm ON cm.conversation_id = c.id
         LEFT JOIN users u ON u.id = cm.user_id
         WHERE c.id = $1 ORDER BY cm.joined_at, cm.user_id`,
        [conversationId],
      );
      const first = rows[0];
      if (!first) return null;
      return {
        title: first.title,
        members: rows.flatMap((row) =>
          row.user_id === null
            ? []
            : [
                {
                  user_id: row.user_id,
                  display_name: row.display_name ?? '',
                  muted_until: isoOrNull(row.muted_until),
                  subscribed: row.subscribed,
                },
              ],
        ),
      };
    },
  };
}
