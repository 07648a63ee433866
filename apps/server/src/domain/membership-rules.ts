import { ErrorCode } from '@chat/protocol';
import { reject, type Rejection } from './rejection';

/** Where a user stands towards a conversation. */
export type Membership = 'member' | 'not_member' | 'no_conversation';

/** Members only: `not_found` for a conversation that does not exist, `forbidden` for a non-member. */
export function checkMembership(membership: Membership): Rejection | null {
  if (membership === 'no_conversation') return reject(ErrorCode.NotFound, 'conversation not found');
  if (membership === 'not_member') return reject(ErrorCode.Forbidden, 'not a member of this conversation');
  return null;
}
