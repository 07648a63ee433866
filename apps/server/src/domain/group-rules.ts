import { ErrorCode, type MemberRole, type SystemEvent } from '@chat/protocol';
import { reject, type Rejection } from './rejection';

/**
 * The rules of docs/protocol.md section 9: who may rename a group, add people,
 * remove them, leave and change roles, and what each change records. Storage
 * reads the facts inside its transaction, asks one of these for a plan, and
 * applies it (a system message per event, then the membership changes), so
 * the rules live once for both drivers.
 */

export interface GroupMember {
  user_id: string;
  role: MemberRole;
}

export interface GroupFacts {
  is_group: boolean;
  title: string | null;
  /** In the order they became members (the longest-standing first). */
  members: GroupMember[];
}

/** What a change does, in order: each event becomes a system message by the actor. */
export interface GroupPlan {
  events: SystemEvent[];
  title?: { value: string | null };
  add: string[];
  remove: string[];
  roles: GroupMember[];
}

const emptyPlan = (): GroupPlan => ({ events: [], add: [], remove: [], roles: [] });

function roleOf(facts: GroupFacts, userId: string): MemberRole | null {
  return facts.members.find((member) => member.user_id === userId)?.role ?? null;
}

/** A 1:1 cannot be changed, and only members change a group. */
function checkGroupActor(facts: GroupFacts, actorId: string): Rejection | null {
  if (roleOf(facts, actorId) === null)
    return reject(ErrorCode.Forbidden, 'not a member of this conversation');
  if (!facts.is_group) return reject(ErrorCode.BadRequest, 'a one-to-one conversation cannot be changed');
  return null;
}

export function planRename(facts: GroupFacts, actorId: string, title: string | null): Rejection | GroupPlan {
  const refusal = checkGroupActor(facts, actorId);
  if (refusal) return refusal;
  if (facts.title === title) return emptyPlan();
  return { ...emptyPlan(), events: [{ type: 'renamed', title }], title: { value: title } };
}

/** People already members are skipped; nobody new is an empty plan. */
export function planAddMembers(
  facts: GroupFacts,
  actorId: string,
  userIds: readonly string[],
  maxMembers: number,
): Rejection | GroupPlan {
  const refusal = checkGroupActor(facts, actorId);
  if (refusal) return refusal;
  const current = new Set(facts.members.map((member) => member.user_id));
  const added = [...new Set(userIds)].filter((id) => !current.has(id));
  if (added.length === 0) return emptyPlan();
  if (current.size + added.length > maxMembers) {
    return reject(ErrorCode.Conflict, `a group holds at most ${maxMembers} members`);
  }
  return { ...emptyPlan(), events: [{ type: 'members_added', user_ids: added }], add: added };
}

/**
 * The actor's own id leaves; another's is a removal (admins only). When the
 * last admin leaves, the longest-standing remaining member becomes admin.
 */
export function planRemoveMember(facts: GroupFacts, actorId: string, userId: string): Rejection | GroupPlan {
  const refusal = checkGroupActor(facts, actorId);
  if (refusal) return refusal;
  const leaving = actorId === userId;
  if (!leaving && roleOf(facts, actorId) !== 'admin') {
    return reject(ErrorCode.Forbidden, 'only an admin can remove someone else');
  }
  if (roleOf(facts, userId) === null) return reject(ErrorCode.NotFound, 'not a member of this conversation');
  const plan: GroupPlan = {
    ...emptyPlan(),
    events: [
      leaving ? { type: 'member_left', user_id: userId } : { type: 'member_removed', user_id: userId },
    ],
    remove: [userId],
  };
  const remaining = facts.members.filter((member) => member.user_id !== userId);
  const heir = remaining[0];
  if (heir && !remaining.some((member) => member.role === 'admin')) {
    plan.events.push({ type: 'role_changed', user_id: heir.user_id, role: 'admin' });
    plan.roles.push({ user_id: heir.user_id, role: 'admin' });
  }
  return plan;
}

export function planChangeRole(
  facts: GroupFacts,
  actorId: string,
  userId: string,
  role: MemberRole,
): Rejection | GroupPlan {
  const refusal = checkGroupActor(facts, actorId);
  if (refusal) return refusal;
  if (roleOf(facts, actorId) !== 'admin')
    return reject(ErrorCode.Forbidden, 'only an admin can change roles');
  const current = roleOf(facts, userId);
  if (current === null) return reject(ErrorCode.NotFound, 'not a member of this conversation');
  if (current === role) return emptyPlan();
  return {
    ...emptyPlan(),
    events: [{ type: 'role_changed', user_id: userId, role }],
    roles: [{ user_id: userId, role }],
  };
}

/**
 * Members in the order of "longest-standing first" with ties broken by the
 * smaller user id: storage hands members in the order they joined, and two
 * added by one change share their moment.
 */
export function byTenure<T extends { user_id: string; joined_at: string }>(a: T, b: T): number {
  if (a.joined_at !== b.joined_at) return a.joined_at < b.joined_at ? -1 : 1;
  return a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0;
}
