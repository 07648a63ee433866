import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startChatServer } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { int, latencyCells, ms, otherCpu, table, type ScenarioReport } from '../format';
import { LatencyRecorder, type LatencySummary } from '../latency';
import { CpuMeter, type CpuUse } from '../proc-stats';
import { provisionUsers } from '../provision';
import { RawClient } from '../raw-client';
import { TimedHttpClient } from '../timed-http';
import { mintUsers } from '../tokens';
import { postgresEngine, type Engine } from './search';

/**
 * Scenario 8 (issue 13, "costs flat as data grows"): `growthMessages` messages in
 * `growthConversations` conversations of `growthUsers` users, written straight
 * through SQL in one transaction (the socket would take hours), then one viewer
 * in `VIEWER_CONVERSATIONS` of them times, one request at a time: the
 * conversation list, a join, a history page and a send. Conversation c has the
 * users c, c+1 and c+2 (and the viewer when c < 200); message i goes to
 * conversation i % C with seq i / C + 1, so every conversation's rows are spread
 * over the whole table, as they are in a live store. The viewer has read all
 * but the last `UNREAD` messages of each conversation, and every tenth message
 * of theirs mentions them. Target: p95 under 5 ms for each operation.
 */
const VIEWER_CONVERSATIONS = 200;
/** Checks an operation's answer once its time is taken. */
type Check = (() => void) | void;
const UNREAD = 5;
const TARGET_MS = 5;
/** 2023-11-14T22:13:20Z: message i is created i ms later. */
const BASE_EPOCH_SEC = 1_700_000_000;
/** Ids are UUIDs (the protocol checks them): a kind prefix, then the number. */
const ID_PREFIX = {
  user: '00000000-0000-4000-8000-',
  conversation: '00000000-0000-4000-9000-',
  message: '00000000-0000-4000-a000-',
};
type IdKind = keyof typeof ID_PREFIX;
const sqliteId = (kind: IdKind, n: string) => `'${ID_PREFIX[kind]}' || printf('%012d', ${n})`;
const postgresId = (kind: IdKind, n: string) => `'${ID_PREFIX[kind]}' || lpad((${n})::text, 12, '0')`;
export const conversationUuid = (n: number) => `${ID_PREFIX.conversation}${String(n).padStart(12, '0')}`;

export interface Shape {
  messages: number;
  conversations: number;
  users: number;
  viewerId: string;
}

function perConversation(shape: Shape): number {
  return Math.ceil(shape.messages / shape.conversations);
}

/** The rows, as SQLite statements (ISO text times, rowid order of members). */
export function seedSqlite(filename: string, shape: Shape): void {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  const { messages: m, conversations: c, users: u, viewerId } = shape;
  const per = perConversation(shape);
  const iso = (seconds: string) =>
    `strftime('%Y-%m-%dT%H:%M:%fZ', ${BASE_EPOCH_SEC} + ${seconds}, 'unixepoch')`;
  const series = (count: number) =>
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})`;
  db.transaction(() => {
    db.exec(`INSERT INTO users (id, email, display_name, created_at, updated_at)
      ${series(u)} SELECT ${sqliteId('user', 'i')}, 'dg-' || i || '@bench.invalid', 'user ' || i, ${iso('0')}, ${iso('0')} FROM n`);
    db.exec(`INSERT INTO conversations (id, title, is_group, last_seq, created_at)
      ${series(c)} SELECT ${sqliteId('conversation', 'i')}, 'group ' || i, 1, ${per}, ${iso('0')} FROM n`);
    for (let k = 0; k < 3; k++) {
      db.exec(`INSERT INTO conversation_members (conversation_id, user_id, read_seq, joined_at, role)
        ${series(c)} SELECT ${sqliteId('conversation', 'i')}, ${sqliteId('user', `(i + ${k}) % ${u}`)}, ${per}, ${iso('0')},
          ${k === 0 ? "'admin'" : "'member'"} FROM n`);
    }
    db.prepare(
      `INSERT INTO conversation_members (conversation_id, user_id, read_seq, joined_at)
       ${series(VIEWER_CONVERSATIONS)} SELECT ${sqliteId('conversation', 'i')}, ?, ${per - UNREAD}, ${iso('0')} FROM n`,
    ).run(viewerId);
    db.prepare(
      `INSERT INTO messages (id, conversation_id, seq, updated_seq, sender_id, client_id, body, created_at,
         search_text, mentions)
       ${series(m)} SELECT ${sqliteId('message', 'i')}, ${sqliteId('conversation', `i % ${c}`)}, i / ${c} + 1, i / ${c} + 1,
         ${sqliteId('user', `(i % ${c} + (i / ${c}) % 3) % ${u}`)}, 'dg-k-' || i, 'message ' || i, ${iso('i / 1000.0')},
         'message ' || i,
         CASE WHEN i % ${c} < ${VIEWER_CONVERSATIONS} AND (i / ${c} + 1) % 10 = 0 THEN json_array(?) ELSE '[]' END
       FROM n`,
    ).run(viewerId);
    db.prepare(
      `INSERT INTO message_mentions (user_id, conversation_id, seq, message_id)
       SELECT ?, conversation_id, seq, id FROM messages WHERE mentions <> '[]'`,
    ).run(viewerId);
    // Sends index messages for search in bulk (migration 010): rows written past
    // them are indexed here, or the first send would index the whole load.
    db.exec(`INSERT INTO messages_fts (rowid, search_text) SELECT rowid, search_text FROM messages;
      UPDATE search_index_state SET indexed_through = (SELECT coalesce(max(rowid), 0) FROM messages)`);
  })();
  db.exec('PRAGMA optimize');
  // The server holds the database open, so closing would not checkpoint: without
  // this the whole load sits in the WAL and the first sends pay for copying it.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** The same rows on PostgreSQL (positions for member order, timestamptz times). */
export async function seedPostgres(databaseUrl: string, shape: Shape): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { messages: m, conversations: c, users: u, viewerId } = shape;
  const per = perConversation(shape);
  const at = (seconds: string) => `to_timestamp(${BASE_EPOCH_SEC} + ${seconds})`;
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO users (id, email, display_name, search_name, created_at, updated_at)
      SELECT ${postgresId('user', 'i')}, 'dg-' || i || '@bench.invalid', 'user ' || i, 'user ' || i, ${at('0')}, ${at('0')}
      FROM generate_series(0, ${u - 1}) i`);
    await client.query(`INSERT INTO conversations (id, title, is_group, last_seq, created_at)
      SELECT ${postgresId('conversation', 'i')}, 'group ' || i, true, ${per}, ${at('0')} FROM generate_series(0, ${c - 1}) i`);
    await client.query(`INSERT INTO conversation_members (conversation_id, user_id, position, read_seq, joined_at, role)
      SELECT ${postgresId('conversation', 'i')}, ${postgresId('user', `(i + k) % ${u}`)}, k, ${per}, ${at('0')},
        CASE WHEN k = 0 THEN 'admin' ELSE 'member' END
      FROM generate_series(0, ${c - 1}) i, generate_series(0, 2) k`);
    await client.query(
      `INSERT INTO conversation_members (conversation_id, user_id, position, read_seq, joined_at)
       SELECT ${postgresId('conversation', 'i')}, $1, 3, ${per - UNREAD}, ${at('0')} FROM generate_series(0, ${VIEWER_CONVERSATIONS - 1}) i`,
      [viewerId],
    );
    await client.query(
      `INSERT INTO messages (id, conversation_id, seq, updated_seq, sender_id, client_id, body, created_at,
         search_text, mentions)
       SELECT ${postgresId('message', 'i')}, ${postgresId('conversation', `i % ${c}`)}, i / ${c} + 1, i / ${c} + 1,
         ${postgresId('user', `(i % ${c} + (i / ${c}) % 3) % ${u}`)}, 'dg-k-' || i, 'message ' || i, ${at('i / 1000.0')},
         'message ' || i,
         CASE WHEN i % ${c} < ${VIEWER_CONVERSATIONS} AND (i / ${c} + 1) % 10 = 0
           THEN json_build_array($1::text) ELSE '[]'::json END
       FROM generate_series(0, ${m - 1}) i`,
      [viewerId],
    );
    await client.query(
      `INSERT INTO message_mentions (user_id, conversation_id, seq, message_id)
       SELECT $1, conversation_id, seq, id FROM messages WHERE mentions::text <> '[]'`,
      [viewerId],
    );
    await client.query('COMMIT');
    // What autovacuum does to a live store: statistics, and the visibility map that
    // lets index-only scans skip the heap.
    await client.query(
      'VACUUM ANALYZE users, conversations, conversation_members, messages, message_mentions',
    );
  } finally {
    await client.end();
  }
}

export async function runDataGrowth(ctx: BenchContext): Promise<ScenarioReport> {
  const { options, failures, repoRoot } = ctx;
  const engines: Engine[] = [{ name: 'SQLite', cleanup: async () => undefined }];
  const postgres = await postgresEngine();
  if (postgres) engines.push(postgres);
  const samples = options.growthSamples;
  const rows: string[][] = [];

  for (const engine of engines) {
    const server = await startChatServer(repoRoot, {
      synchronous: 'NORMAL',
      ...(engine.databaseUrl ? { databaseUrl: engine.databaseUrl } : {}),
    });
    try {
      const [viewer] = await mintUsers(server.jwtSecret, 1, 'growth');
      if (!viewer) throw new Error('no viewer');
      await provisionUsers(server.url, [viewer]);
      const shape: Shape = {
        messages: options.growthMessages,
        conversations: options.growthConversations,
        users: options.growthUsers,
        viewerId: viewer.id,
      };
      const started = performance.now();
      if (engine.databaseUrl) await seedPostgres(engine.databaseUrl, shape);
      else seedSqlite(join(server.dataDir, 'chat.db'), shape);
      console.log(
        `  ${engine.name}: ${int(shape.messages)} messages in ${int(shape.conversations)} conversations ` +
          `of ${int(shape.users)} users stored in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      const conversationId = (k: number) => conversationUuid(k % VIEWER_CONVERSATIONS);
      /**
       * The clock stops when the answer is in (a REST body's last byte, undecoded,
       * through `TimedHttpClient`);
       * what a task returns checks the answer after, so the generator's decoding and
       * JSON.parse of a listing (~240 KB, about a millisecond here) is not counted
       * as the server's time.
       */
      const timed = async (
        task: (k: number) => Promise<Check>,
      ): Promise<{ summary: LatencySummary; cpu: CpuUse }> => {
        for (let k = 0; k < options.growthWarmup; k++) (await task(k))?.(); // warm-up, unrecorded
        const latency = new LatencyRecorder();
        const meter = new CpuMeter(server.pid);
        for (let k = 0; k < samples; k++) {
          const begun = performance.now();
          const check = await task(k);
          latency.record(performance.now() - begun);
          check?.();
        }
        return { summary: latency.summary(), cpu: meter.read() };
      };
      const rest = await TimedHttpClient.open(server.url);
      /**
       * Nothing is written while the list is timed, so every listing must be the
       * first, byte for byte: the first is parsed and checked, the others compared
       * with it. Parsing each (240 KB) made the generator collect garbage beside
       * the server's work: 2.0-2.6 against 2.7-3.3 ms of server CPU per listing,
       * p95 3.3-3.9 against 3.9-7.2 ms, in a probe on 2026-12-03 (two cores shared).
       */
      let firstListing: Buffer | null = null;
      const socket = await RawClient.open(server.wsUrl);
      const authenticated = socket.expect('authenticated');
      socket.send({ type: 'authenticate', token: viewer.token });
      await authenticated;
      const operations: Array<[string, (k: number) => Promise<Check>]> = [
        [
          `GET /api/conversations (${VIEWER_CONVERSATIONS} conversations)`,
          async () => {
            const bytes = await rest.get('/api/conversations', viewer.token);
            return () => {
              if (firstListing) {
                if (!bytes.equals(firstListing)) throw new Error('a listing differed from the first');
                return;
              }
              const list = JSON.parse(bytes.toString('utf8')) as { conversations: unknown[] };
              if (list.conversations.length !== VIEWER_CONVERSATIONS) {
                throw new Error(`listed ${list.conversations.length} conversations`);
              }
              firstListing = Buffer.from(bytes);
            };
          },
        ],
        [
          'join_conversation',
          async (k) => {
            const joined = socket.expect('joined');
            socket.send({ type: 'join_conversation', conversation_id: conversationId(k) });
            await joined;
          },
        ],
        [
          'GET /api/conversations/:id/messages (one page)',
          async (k) => {
            const bytes = await rest.get(`/api/conversations/${conversationId(k)}/messages`, viewer.token);
            return () => JSON.parse(bytes.toString('utf8'));
          },
        ],
        [
          'send_message (until its ack)',
          async (k) => {
            const acked = socket.expect('message_ack');
            socket.send({
              type: 'send_message',
              conversation_id: conversationId(k),
              client_id: randomUUID(),
              body: `growth ${k}`,
            });
            await acked;
          },
        ],
      ];
      for (const [name, task] of operations) {
        const { summary, cpu } = await timed(task);
        const met = summary.p95 < TARGET_MS ? 'met' : 'not met';
        // Wall-clock tails on a shared machine mostly measure the other processes;
        // the server's CPU per operation does not (PostgreSQL's own is not in it).
        const serverCpuMs = ms((cpu.serverSeconds * 1000) / samples);
        console.log(
          `  ${engine.name} ${name}: p50 ${ms(summary.p50)} p95 ${ms(summary.p95)} ms (${met}), ` +
            `server CPU ${serverCpuMs} ms each, other processes ${otherCpu(cpu.other)} of a core`,
        );
        rows.push([engine.name, name, ...latencyCells(summary), serverCpuMs, otherCpu(cpu.other), met]);
      }
      await socket.close();
      rest.close();
    } finally {
      failures.push(...serverFailures(`data-growth ${engine.name}`, server, await server.dispose()));
      await engine.cleanup();
    }
  }
  return {
    title:
      `8. Costs as data grows: ${int(options.growthMessages)} messages, ` +
      `${int(options.growthConversations)} conversations, ${int(options.growthUsers)} users`,
    markdown: [
      `One viewer in ${VIEWER_CONVERSATIONS} conversations (${UNREAD} unread messages in each, every tenth ` +
        `message mentioning them), ${samples} requests per operation, one at a time, after ${options.growthWarmup} unrecorded. ` +
        `The rows are written through SQL before the timing. Target (issue 13): p95 under ${TARGET_MS} ms. ` +
        `Server CPU: the chat server process's user + system time over the timed requests, per request ` +
        `(PostgreSQL's own CPU is not in it); other CPU: what the rest of the machine used meanwhile.`,
      '',
      table(
        [
          'Engine',
          'Operation',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'server CPU ms each',
          'other CPU',
          `p95 < ${TARGET_MS} ms`,
        ],
        rows,
      ),
    ].join('\n'),
  };
}
