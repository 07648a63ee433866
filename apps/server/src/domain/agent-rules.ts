import { ErrorCode, type User } from '@chat/protocol';
import { reject, type Rejection } from './rejection';

/**
 * The rules of agents (docs/protocol.md section 14) that are not storage's:
 * agents act as members but people bring them in, so an agent creates neither
 * conversations nor agents; and who may put an agent into a conversation.
 */

/** What the add rule needs to know of an agent; null for a deleted one. */
export interface AgentAccess {
  owner_id: string;
  public: boolean;
}

/** `action` is what the agent tried, e.g. "create conversations". */
export function checkNotAgent(actor: Pick<User, 'is_agent'>, action: string): Rejection | null {
  return actor.is_agent ? reject(ErrorCode.Forbidden, `agents cannot ${action}: people add them`) : null;
}

/**
 * Its owner may always add an agent, anyone when it is public. A private
 * agent of someone else is 403, not 404: its id is only known to those who
 * shared a conversation with it, who know it exists, and the message says
 * what to do (ask its owner). A deleted agent is an unknown user (404).
 */
export function checkAgentAdd(agent: AgentAccess | null, actorId: string, agentId: string): Rejection | null {
  if (agent === null) return reject(ErrorCode.NotFound, `unknown user: ${agentId}`);
  if (agent.public || agent.owner_id === actorId) return null;
  return reject(ErrorCode.Forbidden, 'this agent is private: only its owner can add it');
}
