import { v7 } from 'uuid';

/**
 * A new message's id: a UUIDv7 (RFC 9562), whose leading bits are the time in
 * milliseconds, so ids sort in the order messages are created.
 *
 * Why not a random (v4) id: the id is the primary key of the messages table on
 * both engines. Random keys land on a random leaf page of that index, so a
 * group commit of N sends dirtied N leaves, each written to the WAL in full
 * (4 KiB per page on SQLite, a full-page image after each checkpoint on
 * PostgreSQL). Ids in time order append to the rightmost leaf: one page a
 * commit. Issue 13, measured with the dm load at 14,000 msg/s: p50 delivery
 * 38-47 ms became 20 ms. The contract asks only for a UUID; the time it reveals
 * is the message's `created_at`, which every reader already sees.
 */
export function newMessageId(): string {
  return v7();
}
