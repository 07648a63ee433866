import { randomUUID } from 'node:crypto';

/**
 * A new message's id: a UUIDv7 (RFC 9562), whose leading 48 bits are the time
 * in milliseconds, so ids sort in the order messages are created.
 *
 * Why not a random (v4) id: the id is the primary key of the messages table on
 * both engines. Random keys land on a random leaf page of that index, so a
 * group commit of N sends dirtied N leaves, each written to the WAL in full
 * (4 KiB per page on SQLite, a full-page image after each checkpoint on
 * PostgreSQL). Ids in time order append to the rightmost leaf: one page a
 * commit. Issue 13, measured with the dm load at 14,000 msg/s: p50 delivery
 * 38-47 ms became 20 ms. The contract asks only for a UUID; the time it reveals
 * is the message's `created_at`, which every reader already sees.
 *
 * Made from node:crypto's v4 rather than by the `uuid` package: its v7 took
 * 1.6 µs an id here (a random fill per call), this 0.4 µs, on the writer
 * thread that bounds the send rate. The v4's 74 random bits and variant stay;
 * its version digit becomes 7 and its first 48 bits the time (RFC 9562 lets
 * `rand_a` be random: ids within one millisecond need no order).
 */
export function newMessageId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // randomUUID(): xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; from index 15 on it is kept.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}
