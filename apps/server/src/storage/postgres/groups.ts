import type pg from 'pg';
import { ErrorCode } from '@chat/protocol';
import type { GroupFacts, GroupPlan } from '../../domain/group-rules';
import { reject, type Rejection } from '../../domain/rejection';
import type { GroupChangeOutcome } from '../storage';
import { lockGroupFacts } from './conversations';
import { inTransaction } from './database';
import { appendSystem } from './messages';

/**
 * Group changes (docs/protocol.md section 9) in one transaction: the facts read
 * under the conversation's row lock, the domain's plan, then one system message
 * per event at the next seqs and the membership changes. The lock is the one
 * sends and message changes take, so a send either precedes the change (and its
 * seq comes first) or follows it and sees the new members.
 */
export function groupQueries(pool: pg.Pool) {
  return {
    changeGroup(input: {
      conversation_id: string;
      actor_id: string;
      decide: (facts: GroupFacts) => Rejection | GroupPlan;
    }): Promise<GroupChangeOutcome> {
      const id = input.conversation_id;
      return inTransaction(pool, 'write', async (client): Promise<GroupChangeOutcome> => {
        const facts = await lockGroupFacts(client, id);
        if (!facts) return reject(ErrorCode.NotFound, 'conversation not found');
        const plan = input.decide(facts);
        if ('status' in plan) return plan;
        if (plan.events.length === 0) return { status: 'unchanged' };
        const now = new Date().toISOString();
        const messages = await appendSystem(client, id, input.actor_id, plan.events, now);
        if (plan.title) {
          await client.query('UPDATE conversations SET title = $2 WHERE id = $1', [id, plan.title.value]);
        }
        if (plan.remove.length > 0) {
          await client.query(
            'DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = ANY($2::text[])',
            [id, plan.remove],
          );
        }
        if (plan.add.length > 0) {
          // After everyone there, in the plan's order: position keeps the listing order.
          await client.query(
            `INSERT INTO conversation_members (conversation_id, user_id, position, joined_at)
             SELECT $1, u.id, base.position + u.n, $3
             FROM unnest($2::text[]) WITH ORDINALITY AS u (id, n),
               (SELECT COALESCE(MAX(position), -1) AS position FROM conversation_members
                 WHERE conversation_id = $1) base`,
            [id, plan.add, now],
          );
        }
        for (const { user_id, role } of plan.roles) {
          await client.query(
            'UPDATE conversation_members SET role = $3 WHERE conversation_id = $1 AND user_id = $2',
            [id, user_id, role],
          );
        }
        return { status: 'changed', plan, messages };
      });
    },
  };
}
