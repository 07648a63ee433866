import type { Database } from 'better-sqlite3';
import type { NewPushSubscription, PushAudience, StoredPushSubscription } from '../storage';

/** Web Push subscriptions (section 13) and what a push needs to know of a conversation. */
export function pushQueries(db: Database) {
  const upsert = db.prepare<
    [{ endpoint: string; user_id: string; p256dh: string; auth: string; now: string }]
  >(
    `INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at)
     VALUES (:endpoint, :user_id, :p256dh, :auth, :now)
     ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh,
       auth = excluded.auth, created_at = excluded.created_at`,
  );
  const removeOwn = db.prepare<[string, string]>(
    'DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?',
  );
  const removeEndpoint = db.prepare<[string]>('DELETE FROM push_subscriptions WHERE endpoint = ?');
  const ofUsers = db.prepare<[string], StoredPushSubscription>(
    `SELECT endpoint, user_id, p256dh, auth FROM push_subscriptions
     WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY user_id, created_at, endpoint`,
  );
  const conversation = db.prepare<[string], { title: string | null }>(
    'SELECT title FROM conversations WHERE id = ?',
  );
  const members = db.prepare<
    [string],
    Omit<PushAudience['members'][number], 'subscribed'> & { subscribed: 0 | 1 }
  >(
    `SELECT cm.user_id, u.display_name, cm.muted_until,
       EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = cm.user_id) AS subscribed
     FROM conversation_members cm
     JOIN users u ON u.id = cm.user_id WHERE cm.conversation_id = ? ORDER BY cm.rowid`,
  );

  return {
    savePushSubscription(subscription: NewPushSubscription): void {
      const { now, ...rest } = subscription;
      upsert.run({ ...rest, now: now.toISOString() });
    },

    deletePushSubscription(input: { user_id: string; endpoint: string }): boolean {
      return removeOwn.run(input.endpoint, input.user_id).changes > 0;
    },

    deletePushEndpoint(endpoint: string): boolean {
      return removeEndpoint.run(endpoint).changes > 0;
    },

    pushSubscriptionsOf(userIds: readonly string[]): StoredPushSubscription[] {
      if (userIds.length === 0) return [];
      return ofUsers.all(JSON.stringify(userIds));
    },

    pushAudience(conversationId: string): PushAudience | null {
      const found = conversation.get(conversationId);
      if (!found) return null;
      return {
        title: found.title,
        members: members
          .all(conversationId)
          .map((member) => ({ ...member, subscribed: member.subscribed === 1 })),
      };
    },
  };
}
