import type { MessageAudience, PushAudience } from '../storage';
import { isoText } from './conversation-view';

export interface AudienceRow {
  conversation_id: string;
  title: string | null;
  members: Array<PushAudience['members'][number] & { webhook: boolean }>;
}

/**
 * The push audience and webhook agents of the conversations whose ids are the
 * text[] parameter `$n`, one row per conversation (see `AudienceRow`).
 */
export function audienceRowsSql(param: number): string {
  return `SELECT c.id AS conversation_id, c.title,
       COALESCE(json_agg(json_build_object(
           'user_id', cm.user_id, 'display_name', u.display_name, 'muted_until', ${isoText('cm.muted_until')},
           'subscribed', EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = cm.user_id),
           'webhook', COALESCE(a.webhook_url IS NOT NULL AND a.webhook_active, false))
         ORDER BY cm.joined_at, cm.user_id) FILTER (WHERE cm.user_id IS NOT NULL), '[]'::json) AS members
     FROM conversations c
     LEFT JOIN conversation_members cm ON cm.conversation_id = c.id
     LEFT JOIN users u ON u.id = cm.user_id
     LEFT JOIN agents a ON a.user_id = cm.user_id
     WHERE c.id = ANY($${param}::text[])
     GROUP BY c.id, c.title`;
}

/**
 * Who the new messages of these conversations concern beyond their rooms: the
 * push audience (title, members with names and mutes) and the agent members
 * with a webhook on, by conversation. Read in the transaction that stores a
 * batch of sends, in the statement that writes it (messages.ts, issue 13):
 * after the commit it was two queries per message, the statements PostgreSQL
 * ran most under load. The same answers as `pushAudience` and `webhookRecipients`.
 */
export function audiencesFrom(
  rows: readonly AudienceRow[],
): Map<string, (senderId: string) => MessageAudience> {
  return new Map(
    rows.map((row) => {
      const push: PushAudience = {
        title: row.title,
        members: row.members.map(({ user_id, display_name, muted_until, subscribed }) => ({
          user_id,
          display_name: display_name ?? '',
          muted_until,
          subscribed,
        })),
      };
      const agents = row.members.filter((member) => member.webhook).map((member) => member.user_id);
      return [
        row.conversation_id,
        (senderId: string) => ({
          push,
          webhookAgentIds: agents.filter((id) => id !== senderId).sort(),
        }),
      ];
    }),
  );
}
