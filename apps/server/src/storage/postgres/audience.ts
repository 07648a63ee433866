import type { MessageAudience, PushAudience } from '../storage';
import { isoText } from './conversation-view';
import type { Queryable } from './database';

interface AudienceRow {
  conversation_id: string;
  title: string | null;
  members: Array<PushAudience['members'][number] & { webhook: boolean }>;
}

/**
 * Who the new messages of these conversations concern beyond their rooms: the
 * push audience (title, members with names and mutes) and the agent members
 * with a webhook on. Read in the transaction that stores a batch of sends, in
 * one statement for all its conversations (issue 13): after the commit it was
 * two queries per message, the statements PostgreSQL ran most under load. The
 * same answers as `pushAudience` and `webhookRecipients`.
 */
export async function audiencesOf(
  db: Queryable,
  conversationIds: readonly string[],
): Promise<Map<string, (senderId: string) => MessageAudience>> {
  const { rows } = await db.query<AudienceRow>({
    name: 'send-audience',
    text: `SELECT c.id AS conversation_id, c.title,
       COALESCE(json_agg(json_build_object(
           'user_id', cm.user_id, 'display_name', u.display_name, 'muted_until', ${isoText('cm.muted_until')},
           'webhook', COALESCE(a.webhook_url IS NOT NULL AND a.webhook_active, false))
         ORDER BY cm.joined_at, cm.user_id) FILTER (WHERE cm.user_id IS NOT NULL), '[]'::json) AS members
     FROM conversations c
     LEFT JOIN conversation_members cm ON cm.conversation_id = c.id
     LEFT JOIN users u ON u.id = cm.user_id
     LEFT JOIN agents a ON a.user_id = cm.user_id
     WHERE c.id = ANY($1::text[])
     GROUP BY c.id, c.title`,
    values: [conversationIds],
  });
  return new Map(
    rows.map((row) => {
      const push: PushAudience = {
        title: row.title,
        members: row.members.map(({ user_id, display_name, muted_until }) => ({
          user_id,
          display_name: display_name ?? '',
          muted_until,
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
