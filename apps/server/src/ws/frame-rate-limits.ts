import type { ClientFrameType } from '@chat/protocol';
import type { ServerContext } from '../context';
import { ChatError } from '../domain/chat-error';
import { KeyedTokenBuckets } from '../limits/token-bucket';
import type { Connection } from './connection';

/** Frame types that write to storage or fan out to others, each with a bucket per user. */
export type LimitedFrameType = Extract<
  ClientFrameType,
  'react' | 'edit_message' | 'delete_message' | 'mark_read' | 'typing'
>;

/** One set of buckets per server (a process may run several in tests). */
const bucketsOf = new WeakMap<ServerContext, KeyedTokenBuckets>();

/**
 * Takes a token from the user's bucket for this frame type, shared by all the
 * user's connections to this process (`RATE_LIMIT_CHANGES_PER_SEC`, burst
 * `RATE_LIMIT_CHANGES_BURST`). Past it the frame is refused `rate_limited`
 * with `retry_after_ms`, counted towards the 4029 flood close, and nothing is
 * written or sent to anyone.
 */
export function takeFrameToken(
  ctx: ServerContext,
  connection: Connection,
  userId: string,
  type: LimitedFrameType,
): void {
  const { rateLimitChangesPerSec, rateLimitChangesBurst } = ctx.config;
  if (rateLimitChangesPerSec === 0) return;
  let buckets = bucketsOf.get(ctx);
  if (!buckets) {
    buckets = new KeyedTokenBuckets(rateLimitChangesPerSec, rateLimitChangesBurst, () => ctx.clock.now());
    bucketsOf.set(ctx, buckets);
  }
  const waitMs = buckets.take(`${type}:${userId}`);
  if (waitMs === 0) return;
  connection.recordRefusal();
  throw new ChatError('rate_limited', `${type} too fast`, waitMs);
}
