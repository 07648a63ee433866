import type pg from 'pg';
import { ConversationParts, type LastMessagePart, type ListedConversation } from '../conversation-parts';
import type { JsonPieces } from '../json-pieces';
import { inListOrder } from '../list-order';
import { UnreadCounts, type CountKey } from '../unread-counts';
import { LAST_MESSAGE_TEXT, MEMBERS_TEXT, UNREAD_COUNT, UNREAD_MENTIONS, isoText } from './conversation-view';
import { arrayParam } from './database';

/**
 * The sum of the members' read_seq. The row comparison holds for every member
 * (any text is >= ''), but it lowers PostgreSQL's estimate of the rows, so it
 * walks the primary key rather than building a bitmap for each conversation:
 * ~5 µs each, which were 1 ms of a listing of 200 (the statement alone, p50
 * 2.63 -> 1.61 ms; docs/benchmarks.md).
 */
const READ_SEQ_SUM = `(SELECT COALESCE(sum(cm.read_seq), 0) FROM conversation_members cm
  WHERE (cm.conversation_id, cm.user_id) >= (c.id, '') AND cm.conversation_id = c.id)`;

/**
 * The conversation list on PostgreSQL (issue 13), as sqlite/conversation-list.ts
 * makes it on SQLite: members and last messages kept by `parts`, unread counts
 * by `counts`, each built again only for conversations whose number moved, the
 * order made here (list-order.ts).
 *
 * One statement, so one round trip and one snapshot: it is handed the numbers
 * this process keeps for each of the viewer's conversations (those of its last
 * listing) and builds a part only where the stored number differs from the
 * kept one. PostgreSQL runs a CASE branch's subquery only when it is taken, and
 * the last message's lateral join stops at its one-time filter. The members are
 * kept by `members_version` and the sum of their read_seq, which every read
 * raises (migration 012: a read receipt writes only its member's row); the sum
 * costs an index scan per conversation. It is answered in the members' column
 * (`sum json`) and nowhere else, so that it runs once a row (twice where the
 * members are built again): PostgreSQL runs a subquery again in each expression
 * that names it, and a lateral join of it had turned the join of the kept
 * numbers into 200 scans of all 200.
 *
 * The viewer's part is read as columns and written as JSON here (viewerJson):
 * built as text by PostgreSQL it took the statement from ~0.8 to ~1.4 ms, in a
 * probe of the bench's 200 conversations (to_char and concatenation per row).
 */
const LISTED = `SELECT c.id, c.members_version, c.last_seq, me.read_seq,
    ${isoText('me.pinned_at')}, ${isoText('c.created_at')},
    COALESCE(to_json(c.title)::text, 'null'), c.is_group, ${isoText('me.muted_until')}, me.archived,
    CASE WHEN k.members_version IS DISTINCT FROM c.members_version OR k.read_seq_sum IS DISTINCT FROM ${READ_SEQ_SUM}
      THEN ${READ_SEQ_SUM} || ' ' || ${MEMBERS_TEXT} END,
    CASE WHEN k.last_seq IS DISTINCT FROM c.last_seq THEN ${LAST_MESSAGE_TEXT} END,
    ${isoText('m.created_at')},
    CASE WHEN k.read_seq IS DISTINCT FROM me.read_seq OR k.counted_seq IS DISTINCT FROM c.last_seq
      THEN ${UNREAD_COUNT}::int END,
    CASE WHEN k.read_seq IS DISTINCT FROM me.read_seq OR k.counted_seq IS DISTINCT FROM c.last_seq
      THEN ${UNREAD_MENTIONS}::int END
  FROM conversation_members me
  JOIN conversations c ON c.id = me.conversation_id
  LEFT JOIN unnest($2::text[], $3::int[], $4::int8[], $5::int[], $6::int[], $7::int[])
    AS k (id, members_version, read_seq_sum, last_seq, read_seq, counted_seq) ON k.id = c.id
  LEFT JOIN LATERAL (
    SELECT * FROM messages x
    WHERE x.conversation_id = c.id AND k.last_seq IS DISTINCT FROM c.last_seq
    ORDER BY x.seq DESC LIMIT 1
  ) m ON true
  WHERE me.user_id = $1`;

type ListedRow = [
  id: string,
  membersVersion: number,
  lastSeq: number,
  readSeq: number,
  pinnedAt: string | null,
  createdAt: string,
  /** As JSON text. */
  title: string,
  isGroup: boolean,
  mutedUntil: string | null,
  archived: boolean,
  /** Null when the kept members are current, else the sum of the members' read_seq, a space and their JSON. */
  members: string | null,
  /** Null when the kept last message is current; 'null' without messages. */
  lastMessage: string | null,
  lastMessageAt: string | null,
  /** Both null when the kept counts are current. */
  unread: number | null,
  mentions: number | null,
];

/** A conversation's members as JSON, and the sum of their read_seq they were built at. */
interface MembersPart {
  json: Buffer;
  readSeqSum: number;
}

type Row = ListedConversation & CountKey & { pinnedAt: string | null; createdAt: string };
const UNCOUNTED = { unread: 0, mentions: 0 };

/**
 * What this process keeps for a viewer's conversations when a listing starts:
 * the numbers it sends, and the parts and counts they stand for. Copied, since
 * a listing that answers meanwhile changes the kept entries in place.
 */
class KnownAtStart {
  readonly ids: string[] = [];
  readonly membersVersions: (number | null)[] = [];
  readonly readSeqSums: (number | null)[] = [];
  readonly lastSeqs: (number | null)[] = [];
  readonly readSeqs: number[] = [];
  readonly countedSeqs: number[] = [];
  readonly #members = new Map<string, MembersPart>();
  readonly #lastMessages = new Map<string, LastMessagePart>();
  readonly #counts = new Map<string, readonly [number, number]>();

  constructor(viewerId: string, parts: ConversationParts, counts: UnreadCounts) {
    for (const [id, kept] of counts.of(viewerId).known()) {
      const shared = parts.kept(id);
      this.ids.push(id);
      this.membersVersions.push(shared?.membersVersion ?? null);
      this.readSeqSums.push(shared?.readSeqSum ?? null);
      this.lastSeqs.push(shared?.lastSeq ?? null);
      this.readSeqs.push(kept.readSeq);
      this.countedSeqs.push(kept.lastSeq);
      this.#counts.set(id, [kept.unread, kept.mentions]);
      if (shared) {
        this.#members.set(id, { json: shared.members, readSeqSum: shared.readSeqSum });
        this.#lastMessages.set(id, { json: shared.lastMessage, createdAt: shared.lastMessageAt });
      }
    }
  }

  members(id: string, read: string | null): MembersPart | undefined {
    if (read === null) return this.#members.get(id);
    const space = read.indexOf(' ');
    return { readSeqSum: Number(read.slice(0, space)), json: Buffer.from(read.slice(space + 1)) };
  }

  lastMessage(id: string, read: string | null, createdAt: string | null): LastMessagePart | undefined {
    return read === null ? this.#lastMessages.get(id) : { json: Buffer.from(read), createdAt };
  }

  counts(id: string, unread: number | null, mentions: number | null): readonly [number, number] | undefined {
    return unread === null || mentions === null ? this.#counts.get(id) : [unread, mentions];
  }
}

export function conversationListQueries(
  pool: pg.Pool,
  parts = new ConversationParts(),
  counts = new UnreadCounts(),
) {
  /** The viewer's conversations in the list's order, each as its JSON. */
  async function listConversationsJson(viewerId: string): Promise<JsonPieces[]> {
    const known = new KnownAtStart(viewerId, parts, counts);
    // Named: each connection plans this statement once, not at every listing, where
    // planning took longer than running it (issue 13, docs/benchmarks.md).
    const { rows: read } = await pool.query<ListedRow>({
      name: 'viewer-conversations',
      text: LISTED,
      values: [
        viewerId,
        arrayParam(known.ids),
        arrayParam(known.membersVersions),
        arrayParam(known.readSeqSums),
        arrayParam(known.lastSeqs),
        arrayParam(known.readSeqs),
        arrayParam(known.countedSeqs),
      ],
      rowMode: 'array',
    });
    const rows: Row[] = [];
    // Every part and count this listing read, and the kept ones it was told are
    // current: the parts' and counts' own entries may have moved since it started.
    const members = new Map<string, Buffer>();
    const lastMessages = new Map<string, LastMessagePart>();
    const fresh = new Map<string, readonly [number, number]>();
    for (const [id, membersVersion, lastSeq, readSeq, pinnedAt, createdAt, ...rest] of read) {
      const [
        title,
        isGroup,
        mutedUntil,
        archived,
        membersJson,
        lastMessageJson,
        lastMessageAt,
        unread,
        mentions,
      ] = rest;
      const viewer = viewerJson(id, title, isGroup, lastSeq, createdAt, mutedUntil, archived, pinnedAt);
      const membersPart = keptOrRead(id, 'members', known.members(id, membersJson));
      const readSeqSum = membersPart.readSeqSum;
      members.set(id, membersPart.json);
      rows.push({
        id,
        membersVersion,
        readSeqSum,
        lastSeq,
        readSeq,
        pinnedAt,
        createdAt,
        viewerJson: viewer,
        counts: UNCOUNTED,
      });
      lastMessages.set(
        id,
        keptOrRead(id, 'last message', known.lastMessage(id, lastMessageJson, lastMessageAt)),
      );
      fresh.set(id, keptOrRead(id, 'counts', known.counts(id, unread, mentions)));
    }
    // Again after the await: the viewer's entry may have been dropped meanwhile.
    counts
      .of(viewerId)
      .counts(rows, fresh)
      .forEach((rowCounts, k) => (rows[k]!.counts = rowCounts));
    return inListOrder(rows, parts.conversations(rows, members, lastMessages));
  }

  return { listConversationsJson };
}

/** The `Conversation` without `members`, `last_message` and the two counts (ConversationParts adds them). */
function viewerJson(
  id: string,
  title: string,
  isGroup: boolean,
  lastSeq: number,
  createdAt: string,
  mutedUntil: string | null,
  archived: boolean,
  pinnedAt: string | null,
): string {
  const muted = mutedUntil === null ? 'null' : `"${mutedUntil}"`;
  return (
    `{"id":${JSON.stringify(id)},"title":${title},"is_group":${isGroup},"last_seq":${lastSeq},` +
    `"created_at":"${createdAt}","settings":{"muted_until":${muted},"archived":${archived},"pinned":${pinnedAt !== null}}}`
  );
}

/** What the statement read, or what it said is kept (the statement builds every part not kept). */
function keptOrRead<T>(id: string, part: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`conversation ${id}: ${part} neither kept nor read`);
  return value;
}
