/**
 * Each viewer's two counts per conversation, `unread_count` and
 * `unread_mentions`, kept by the pair of numbers that fixes them: the viewer's
 * `read_seq` and the conversation's `last_seq`. Every change to a message (a
 * send, an edit, an unsend, a reaction, a stream's end) takes the conversation's
 * next seq (docs/protocol.md section 5) and mentions are written only with their
 * message, so while neither number moves, neither count can.
 *
 * Counting was half of the conversation list's statement (issue 13): two index
 * walks into `messages` per conversation, cold pages after any write. The list
 * reads the two numbers with the rest of the viewer's part and counts again
 * only where one moved, in the same snapshot; each process keeps its own counts
 * and trusts only the numbers, as ConversationParts does for the shared parts.
 */

/** A viewer's counts in one conversation, valid at (`readSeq`, `lastSeq`). */
export interface Counts {
  readSeq: number;
  lastSeq: number;
  unread: number;
  mentions: number;
}

/** What the list statement reads of a conversation for its counts. */
export interface CountKey {
  id: string;
  readSeq: number;
  lastSeq: number;
}

/**
 * Entries: one per (viewer, conversation), ~85 bytes of V8 heap each (the object
 * and its map slot), and one per viewer, so viewers in no conversation are
 * bounded too. 100,000 are ~8.5 MB: 500 viewers of 200 conversations listing in
 * turn.
 */
const DEFAULT_MAX_ENTRIES = 100_000;

export class UnreadCounts {
  /** By viewer, least recently listed first (a listing moves its viewer last). */
  readonly #viewers = new Map<string, Map<string, Counts>>();
  #entries = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** The viewer's counts, kept or not; marks the viewer as the most recently listed. */
  of(viewerId: string): ViewerCounts {
    const kept = this.#viewers.get(viewerId);
    if (kept) this.#viewers.delete(viewerId);
    const counts = kept ?? new Map<string, Counts>();
    this.#viewers.set(viewerId, counts);
    if (!kept) this.#grown(1);
    return new ViewerCounts(counts, (added) => this.#grown(added));
  }

  /** How many entries are kept: one per viewer and one per (viewer, conversation) (for tests and metrics). */
  get size(): number {
    return this.#entries;
  }

  #grown(added: number): void {
    this.#entries += added;
    for (const [viewerId, kept] of this.#viewers) {
      // The viewer listing now is last in the map: it is never the one dropped.
      if (this.#entries <= this.maxEntries || this.#viewers.size === 1) return;
      this.#viewers.delete(viewerId);
      this.#entries -= kept.size + 1;
    }
  }
}

/** One viewer's counts, for the length of one listing. */
export class ViewerCounts {
  constructor(
    private readonly kept: Map<string, Counts>,
    private readonly grown: (added: number) => void,
  ) {}

  /** Every conversation's counts kept for the viewer; entries change in place. */
  known(): ReadonlyMap<string, Readonly<Counts>> {
    return this.kept;
  }

  /** The conversations of `listed` whose counts must be read. */
  missing(listed: readonly CountKey[]): string[] {
    const ids: string[] = [];
    for (const key of listed) if (!this.#valid(this.kept.get(key.id), key)) ids.push(key.id);
    return ids;
  }

  /**
   * The counts of each of `listed`, in its order: those kept, and from `fresh`
   * (`[unread, mentions]` by conversation id) for every id `missing` named.
   */
  counts(listed: readonly CountKey[], fresh: ReadonlyMap<string, readonly [number, number]>): Counts[] {
    let added = 0;
    const counts = listed.map((key) => {
      const kept = this.kept.get(key.id);
      if (kept && this.#valid(kept, key)) return kept;
      const read = fresh.get(key.id);
      if (!read) throw new Error(`conversation ${key.id}: counts the listing needed were not read`);
      if (!kept) {
        const entry: Counts = {
          readSeq: key.readSeq,
          lastSeq: key.lastSeq,
          unread: read[0],
          mentions: read[1],
        };
        this.kept.set(key.id, entry);
        added++;
        return entry;
      }
      // Changed in place: an entry lives as long as its viewer lists (see ConversationParts).
      kept.readSeq = key.readSeq;
      kept.lastSeq = key.lastSeq;
      kept.unread = read[0];
      kept.mentions = read[1];
      return kept;
    });
    if (this.kept.size > listed.length) added -= this.#forgetUnlisted(listed);
    if (added !== 0) this.grown(added);
    return counts;
  }

  /** Drops the conversations the viewer is no longer in; answers how many. */
  #forgetUnlisted(listed: readonly CountKey[]): number {
    const ids = new Set(listed.map((key) => key.id));
    let dropped = 0;
    for (const id of this.kept.keys()) {
      if (!ids.has(id)) {
        this.kept.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  #valid(kept: Counts | undefined, key: CountKey): boolean {
    return kept !== undefined && kept.readSeq === key.readSeq && kept.lastSeq === key.lastSeq;
  }
}
