import type { ClientFrameType } from '@chat/protocol';
import type { ServerContext } from '../context';
import { ChatError } from '../domain/chat-error';
import { KeyedTokenBuckets, TokenBucket } from '../limits/token-bucket';
import type { Connection } from './connection';

/** Frame types that write to storage or fan out to others, each with a bucket per user. */
export type LimitedFrameType = Extract<
  ClientFrameType,
  'react' | 'edit_message' | 'delete_message' | 'mark_read' | 'typing' | 'agent_status' | 'stop_stream'
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

/** One stream_message bucket per connection (section 14). */
const streamBuckets = new WeakMap<Connection, TokenBucket>();

/**
 * Section 14: `stream_message` has a limit of its own, per connection
 * (`STREAM_MESSAGES_PER_SECOND`, default 20, burst as much). Past it the frame
 * is refused `rate_limited` with `retry_after_ms` and not relayed; the stream
 * goes on. These refusals do not count towards the 4029 flood close: a sender
 * streaming a little too fast must not have its stream interrupted by the
 * close, and a refused `stream_message` costs one bucket check.
 */
export function takeStreamToken(ctx: ServerContext, connection: Connection): void {
  const perSec = ctx.config.streamMessagesPerSec;
  if (perSec === 0) return;
  let bucket = streamBuckets.get(connection);
  if (!bucket) {
    bucket = new TokenBucket(perSec, perSec, () => ctx.clock.now());
    streamBuckets.set(connection, bucket);
  }
  const waitMs = bucket.take();
  if (waitMs > 0) throw new ChatError('rate_limited', 'stream_message too fast', waitMs);
}
