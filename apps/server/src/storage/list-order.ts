import type { ListedJson } from './conversation-parts';
import type { JsonPieces } from './json-pieces';

/** What the conversation list's order reads of a conversation. */
export interface ListOrderKey {
  id: string;
  /** When the viewer pinned it, or null. */
  pinnedAt: string | null;
  /** Its last message's `created_at`, or null without messages. */
  lastMessageAt: string | null;
  createdAt: string;
}

/**
 * The list's order (docs/protocol.md sections 7 and 9): pinned first, most
 * recently pinned first; then newest first by the last message's time, or the
 * creation time without messages; then the newer conversation; ids break ties.
 * Times are ISO 8601 text (Date.toISOString()), which sorts as time; ids are
 * ASCII, compared by code unit as SQLite's BINARY and PostgreSQL's "C" collation
 * compare bytes.
 *
 * In JS for both drivers' lists (sqlite/ and postgres/conversation-list.ts):
 * ordering in SQL needed each conversation's last message joined at every
 * listing, 200 index seeks and table pages that any write between two listings
 * leaves uncached.
 */
export function compareListOrder(a: ListOrderKey, b: ListOrderKey): number {
  if (a.pinnedAt !== b.pinnedAt) {
    if (a.pinnedAt === null) return 1;
    if (b.pinnedAt === null) return -1;
    return descending(a.pinnedAt, b.pinnedAt);
  }
  return (
    descending(a.lastMessageAt ?? a.createdAt, b.lastMessageAt ?? b.createdAt) ||
    descending(a.createdAt, b.createdAt) ||
    descending(b.id, a.id)
  );
}

const descending = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

/** The conversations' JSON in the list's order, `jsons[k]` being `keys[k]`'s (ConversationParts.conversations). */
export function inListOrder(
  keys: readonly Pick<ListOrderKey, 'id' | 'pinnedAt' | 'createdAt'>[],
  jsons: readonly ListedJson[],
): JsonPieces[] {
  return keys
    .map((key, k): ListOrderKey & { json: JsonPieces } => ({
      id: key.id,
      pinnedAt: key.pinnedAt,
      createdAt: key.createdAt,
      lastMessageAt: jsons[k]!.lastMessageAt,
      json: jsons[k]!.json,
    }))
    .sort(compareListOrder)
    .map((entry) => entry.json);
}
