import type { JsonPieces } from './json-pieces';

/**
 * The parts of a `Conversation` that are the same for every viewer and cost the
 * most to build, its members and its last message, kept as JSON in UTF-8 by the
 * numbers that change with each: `members_version` (bumped by the database on
 * any change to who the members are, their names or roles, and on SQLite
 * their read_seq) with `readSeqSum` (on PostgreSQL, the sum of the members'
 * read_seq: read_seq only grows, so every read raises it while the members
 * stay; a read receipt there writes only its member's row, never the
 * conversation's, which sends hold locked until they commit), and `last_seq`
 * (taken by every change to a message, docs/protocol.md section 5).
 *
 * The conversation list (issue 13) reads, for each of the viewer's
 * conversations, only what is the viewer's own (its settings; its counts are
 * kept too, by unread-counts.ts) and the two numbers; the parts are built again
 * only for conversations whose number moved since this process last built them. The numbers and any parts built
 * again are read in one snapshot, so a listing is as consistent as one
 * statement; each process keeps its own parts and trusts only the numbers.
 */

/** One of the viewer's conversations as the list statement reads it. */
export interface ListedConversation {
  id: string;
  membersVersion: number;
  /** The sum of the members' read_seq where reads do not move `membersVersion` (PostgreSQL), else 0. */
  readSeqSum: number;
  lastSeq: number;
  /** The viewer's `unread_count` and `unread_mentions` (unread-counts.ts). */
  counts: { readonly unread: number; readonly mentions: number };
  /**
   * The `Conversation` as JSON text without `members`, `last_message` and the
   * two counts. A string, not bytes: read fresh at every listing, 200 Buffers
   * from the database each time were 200 backing stores for V8 to track and
   * sweep.
   */
  viewerJson: string;
}

/** A conversation's last message as the listing reads it: its JSON, and its `created_at` for the list's order. */
export interface LastMessagePart {
  /** A JSON object, or null without messages. */
  json: Buffer | null;
  createdAt: string | null;
}

/** One of the listed conversations as JSON, and what the list's order needs of the parts. */
export interface ListedJson {
  json: JsonPieces;
  lastMessageAt: string | null;
}

/** What is kept of one conversation. */
export interface KeptParts {
  readonly membersVersion: number;
  readonly readSeqSum: number;
  readonly members: Buffer;
  readonly lastSeq: number;
  readonly lastMessage: Buffer;
  readonly lastMessageAt: string | null;
}

interface Parts {
  membersVersion: number;
  readSeqSum: number;
  /** A JSON array. */
  members: Buffer;
  lastSeq: number;
  /** A JSON object, or `null`. */
  lastMessage: Buffer;
  lastMessageAt: string | null;
  /** When it was last listed, by `#clock`: the least recent go first. */
  lastListed: number;
}

/**
 * Enough for every conversation of a busy server's active users: a
 * conversation of 4 members with a 100-character last message is ~1 KB, so
 * 10,000 of them are ~10 MB (outside V8's heap: Buffers).
 */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** Past the bound, the least recently listed go until this share of it is left: one sort per many listings. */
const EVICT_DOWN_TO = 0.9;
const NULL = Buffer.from('null');
const MEMBERS_KEY = Buffer.from('{"members":');
const LAST_MESSAGE_KEY = Buffer.from(',"last_message":');

/**
 * An entry lives as long as its conversation is listed, so it is changed in
 * place, never replaced: objects made anew at every listing outlived two
 * scavenges, reached V8's old generation and died there, a mark-compact every
 * ~50 listings once the memory reducer had shrunk an idle server's heap.
 */
export class ConversationParts {
  readonly #entries = new Map<string, Parts>();
  #bytes = 0;
  /** Counts conversations listed: a clock for `lastListed`. */
  #clock = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** The conversations of `listed` whose members, and those whose last message, must be read. */
  missing(listed: readonly ListedConversation[]): { members: string[]; lastMessages: string[] } {
    const members: string[] = [];
    const lastMessages: string[] = [];
    for (const row of listed) {
      const parts = this.#entries.get(row.id);
      if (!parts || !sameMembers(parts, row)) members.push(row.id);
      if (parts?.lastSeq !== row.lastSeq) lastMessages.push(row.id);
    }
    return { members, lastMessages };
  }

  /**
   * Each of `listed` as the `Conversation`'s JSON, in the same order, from the
   * parts kept and those just read (`members` and `lastMessages` by
   * conversation id, for every id `missing` named).
   */
  conversations(
    listed: readonly ListedConversation[],
    members: ReadonlyMap<string, Buffer>,
    lastMessages: ReadonlyMap<string, LastMessagePart>,
  ): ListedJson[] {
    const jsons: ListedJson[] = [];
    for (const row of listed) {
      const parts = this.#refresh(row, members, lastMessages);
      // viewerJson is a JSON object with at least its id: `{"id":...}`.
      const json = [
        MEMBERS_KEY,
        parts.members,
        LAST_MESSAGE_KEY,
        parts.lastMessage,
        `,"unread_count":${row.counts.unread},"unread_mentions":${row.counts.mentions},`,
        row.viewerJson.slice(1),
      ];
      jsons.push({ json, lastMessageAt: parts.lastMessageAt });
    }
    this.#evict();
    return jsons;
  }

  /**
   * What is kept of conversation `id` now. An entry changes in place: a caller
   * that needs it across an await copies the fields it uses.
   */
  kept(id: string): KeptParts | undefined {
    return this.#entries.get(id);
  }

  /** How many conversations are kept (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #refresh(
    row: ListedConversation,
    members: ReadonlyMap<string, Buffer>,
    lastMessages: ReadonlyMap<string, LastMessagePart>,
  ): Parts {
    const kept = this.#entries.get(row.id);
    const freshMembers = kept && sameMembers(kept, row) ? null : read(members, row.id);
    const freshLast = kept?.lastSeq === row.lastSeq ? null : read(lastMessages, row.id);
    const now = ++this.#clock;
    if (!kept) {
      const parts: Parts = {
        membersVersion: row.membersVersion,
        readSeqSum: row.readSeqSum,
        members: freshMembers!,
        lastSeq: row.lastSeq,
        lastMessage: freshLast!.json ?? NULL,
        lastMessageAt: freshLast!.createdAt,
        lastListed: now,
      };
      this.#entries.set(row.id, parts);
      this.#bytes += size(parts);
      return parts;
    }
    this.#bytes -= size(kept);
    if (freshMembers) {
      kept.membersVersion = row.membersVersion;
      kept.readSeqSum = row.readSeqSum;
      kept.members = freshMembers;
    }
    if (freshLast) {
      kept.lastSeq = row.lastSeq;
      kept.lastMessage = freshLast.json ?? NULL;
      kept.lastMessageAt = freshLast.createdAt;
    }
    kept.lastListed = now;
    this.#bytes += size(kept);
    return kept;
  }

  #evict(): void {
    if (this.#bytes <= this.maxBytes) return;
    const oldestFirst = [...this.#entries].sort(([, a], [, b]) => a.lastListed - b.lastListed);
    for (const [id, parts] of oldestFirst) {
      if (this.#bytes <= this.maxBytes * EVICT_DOWN_TO) return;
      this.#entries.delete(id);
      this.#bytes -= size(parts);
    }
  }
}

/** Whether the members kept are those `row` was listed at. */
function sameMembers(
  kept: KeptParts,
  row: Pick<ListedConversation, 'membersVersion' | 'readSeqSum'>,
): boolean {
  return kept.membersVersion === row.membersVersion && kept.readSeqSum === row.readSeqSum;
}

function read<T>(map: ReadonlyMap<string, T>, id: string): T {
  if (!map.has(id)) throw new Error(`conversation ${id}: a part the listing needed was not read`);
  return map.get(id) as T;
}

const size = (parts: Parts) => parts.members.length + parts.lastMessage.length;
