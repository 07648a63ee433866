/**
 * The parts of a `Conversation` that are the same for every viewer and cost the
 * most to build, its members and its last message, kept as JSON in UTF-8 by the
 * number that changes with each: `members_version` (bumped by the database on
 * any change to who the members are, their names, read_seq or role) and
 * `last_seq` (taken by every change to a message, docs/protocol.md section 5).
 *
 * The conversation list (issue 13) reads, for each of the viewer's
 * conversations, only what is the viewer's own (unread counts, settings) and
 * the two numbers; the parts are built again only for conversations whose number
 * moved since this process last built them. The numbers and any parts built
 * again are read in one snapshot, so a listing is as consistent as one
 * statement; each process keeps its own parts and trusts only the numbers.
 */

/** One of the viewer's conversations as the list statement reads it. */
export interface ListedConversation {
  id: string;
  membersVersion: number;
  lastSeq: number;
  /**
   * The `Conversation` as JSON text without `members` and `last_message`. A
   * string, not bytes: read fresh at every listing, 200 Buffers from the
   * database each time were 200 backing stores for V8 to track and sweep.
   */
  viewerJson: string;
}

interface Parts {
  membersVersion: number;
  /** A JSON array. */
  members: Buffer;
  lastSeq: number;
  /** A JSON object, or `null`. */
  lastMessage: Buffer;
}

/**
 * Enough for every conversation of a busy server's active users: a
 * conversation of 4 members with a 100-character last message is ~1 KB, so
 * 10,000 of them are ~10 MB (outside V8's heap: Buffers).
 */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const NULL = Buffer.from('null');
const MEMBERS_KEY = Buffer.from('{"members":');
const LAST_MESSAGE_KEY = Buffer.from(',"last_message":');
const COMMA = Buffer.from(',');

export class ConversationParts {
  // Map order is recency: an entry used is moved to the end, the front evicted.
  readonly #entries = new Map<string, Parts>();
  #bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** The conversations of `listed` whose members, and those whose last message, must be read. */
  missing(listed: readonly ListedConversation[]): { members: string[]; lastMessages: string[] } {
    const members: string[] = [];
    const lastMessages: string[] = [];
    for (const row of listed) {
      const parts = this.#entries.get(row.id);
      if (parts?.membersVersion !== row.membersVersion) members.push(row.id);
      if (parts?.lastSeq !== row.lastSeq) lastMessages.push(row.id);
    }
    return { members, lastMessages };
  }

  /**
   * Each of `listed` as the `Conversation`'s JSON, from the parts kept and those
   * just read (`members` and `lastMessages` by conversation id, for every id
   * `missing` named; a last message of null when there is none).
   */
  conversations(
    listed: readonly ListedConversation[],
    members: ReadonlyMap<string, Buffer>,
    lastMessages: ReadonlyMap<string, Buffer | null>,
  ): Buffer[] {
    const jsons: Buffer[] = [];
    for (const row of listed) {
      const parts = this.#refresh(row, members, lastMessages);
      // viewerJson is a JSON object with at least its id: `{"id":...}`.
      const tail = row.viewerJson.slice(1);
      const json = Buffer.allocUnsafe(
        MEMBERS_KEY.length +
          parts.members.length +
          LAST_MESSAGE_KEY.length +
          parts.lastMessage.length +
          COMMA.length +
          Buffer.byteLength(tail),
      );
      let at = MEMBERS_KEY.copy(json);
      at += parts.members.copy(json, at);
      at += LAST_MESSAGE_KEY.copy(json, at);
      at += parts.lastMessage.copy(json, at);
      at += COMMA.copy(json, at);
      json.write(tail, at);
      jsons.push(json);
    }
    this.#evict();
    return jsons;
  }

  /** How many conversations are kept (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #refresh(
    row: ListedConversation,
    members: ReadonlyMap<string, Buffer>,
    lastMessages: ReadonlyMap<string, Buffer | null>,
  ): Parts {
    const kept = this.#entries.get(row.id);
    const parts: Parts = {
      membersVersion: row.membersVersion,
      members: kept?.membersVersion === row.membersVersion ? kept.members : read(members, row.id),
      lastSeq: row.lastSeq,
      lastMessage: kept?.lastSeq === row.lastSeq ? kept.lastMessage : (read(lastMessages, row.id) ?? NULL),
    };
    if (kept) {
      this.#entries.delete(row.id);
      this.#bytes -= size(kept);
    }
    this.#entries.set(row.id, parts);
    this.#bytes += size(parts);
    return parts;
  }

  #evict(): void {
    for (const [id, parts] of this.#entries) {
      if (this.#bytes <= this.maxBytes) return;
      this.#entries.delete(id);
      this.#bytes -= size(parts);
    }
  }
}

function read<T>(map: ReadonlyMap<string, T>, id: string): T {
  if (!map.has(id)) throw new Error(`conversation ${id}: a part the listing needed was not read`);
  return map.get(id) as T;
}

const size = (parts: Parts) => parts.members.length + parts.lastMessage.length;
