import { ErrorCode } from '@chat/protocol';
import type { GroupFacts, GroupPlan } from '../../domain/group-rules';
import { reject, type Rejection } from '../../domain/rejection';
import type { GroupChangeOutcome } from '../storage';
import type { conversationQueries } from './conversations';
import type { messageQueries } from './messages';

/**
 * Group changes (docs/protocol.md section 9): the facts, the domain's plan,
 * then one system message per event at the next seqs and the membership
 * changes, all in the caller's write transaction.
 */
export function groupQueries(
  conversations: ReturnType<typeof conversationQueries>,
  messages: ReturnType<typeof messageQueries>,
) {
  return {
    changeGroup(input: {
      conversation_id: string;
      actor_id: string;
      decide: (facts: GroupFacts) => Rejection | GroupPlan;
    }): GroupChangeOutcome {
      const id = input.conversation_id;
      const facts = conversations.groupFacts(id);
      if (!facts) return reject(ErrorCode.NotFound, 'conversation not found');
      const plan = input.decide(facts);
      if ('status' in plan) return plan;
      if (plan.events.length === 0) return { status: 'unchanged' };
      const now = new Date().toISOString();
      const appended = plan.events.map((event) => messages.appendSystem(id, input.actor_id, event, now));
      if (plan.title) conversations.setTitle(id, plan.title.value);
      for (const userId of plan.add) conversations.addMember(id, userId, now);
      for (const userId of plan.remove) conversations.removeMember(id, userId);
      for (const { user_id, role } of plan.roles) conversations.setRole(id, user_id, role);
      return { status: 'changed', plan, messages: appended };
    },
  };
}
