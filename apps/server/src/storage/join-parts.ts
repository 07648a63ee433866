import type { ConversationMember, Message } from '@chat/protocol';

/** How many conversations' parts are kept, the least recently joined dropped first. */
const MAX_CONVERSATIONS = 256;
/** Parts older than this are not reused: they are for a burst of joins, not a cache of the store. */
const MAX_AGE_MS = 5000;

interface Kept {
  membersVersion: number;
  members: ConversationMember[];
  lastSeq: number;
  /** The newest page, as a join without `since_seq` answers it; null until one was read at `lastSeq`. */
  page: { messages: Message[]; has_more: boolean } | null;
  keptAt: number;
}

/**
 * The parts of a join snapshot that are the same for every joiner of a
 * conversation, its members and its newest page, kept for the next joiner by
 * the numbers that move with them: `members_version` (any change to the
 * members, their names, read_seq or role) and `last_seq` (taken by every change
 * to a message, docs/protocol.md section 5). A part whose number has not moved
 * is what a fresh read would return.
 *
 * Why: in a connect storm every member of a conversation joins it within a
 * second, and each join read the same members and page again: those two reads
 * were 14% of the server's CPU for 19,000 sockets in conversations of 10
 * (CPU profile, issue 13). The parts are shared by the joiners, read only.
 */
export class RecentJoinParts {
  readonly #kept = new Map<string, Kept>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The members at `membersVersion`, if kept. */
  members(conversationId: string, membersVersion: number): ConversationMember[] | null {
    const kept = this.#fresh(conversationId);
    return kept?.membersVersion === membersVersion ? kept.members : null;
  }

  /** The newest page at `lastSeq`, if kept. */
  page(conversationId: string, lastSeq: number): Kept['page'] {
    const kept = this.#fresh(conversationId);
    return kept?.lastSeq === lastSeq ? kept.page : null;
  }

  keep(conversationId: string, parts: Omit<Kept, 'keptAt'>): void {
    this.#kept.delete(conversationId);
    this.#kept.set(conversationId, { ...parts, keptAt: this.now() });
    // Insertion order is recency order: the oldest go first, past the count or the age.
    const oldest = this.now() - MAX_AGE_MS;
    for (const [id, kept] of this.#kept) {
      if (this.#kept.size <= MAX_CONVERSATIONS && kept.keptAt >= oldest) break;
      this.#kept.delete(id);
    }
  }

  #fresh(conversationId: string): Kept | null {
    const kept = this.#kept.get(conversationId);
    if (!kept) return null;
    if (kept.keptAt >= this.now() - MAX_AGE_MS) return kept;
    this.#kept.delete(conversationId);
    return null;
  }
}
