import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startChatServer } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { int, latencyCells, ms, table, type ScenarioReport } from '../format';
import { LatencyRecorder } from '../latency';
import { api, mapLimit, provisionUsers } from '../provision';
import { RawClient } from '../raw-client';
import { mintUsers, type BenchUser } from '../tokens';

/**
 * Scenario 5: message search (docs/protocol.md section 12) over a store of
 * `searchMessages` messages in 100 conversations of one viewer, on SQLite
 * (FTS5) and, when it answers, PostgreSQL (tsvector + GIN). The messages are
 * sent through the server like any others (so the index is the one the send
 * path keeps), then `GET /api/search` is timed for kinds of query from rare to
 * common. Target (issue 8): p95 under 50 ms at 100,000 messages.
 */
const CONVERSATIONS = 100;
const WORDS_PER_MESSAGE = 10;
const VOCABULARY = 5000;
const SEND_WINDOW = 500;
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Deterministic pseudo-words ("bakoru", "tesimo", ...) and a Zipf-like draw over them. */
function vocabulary(): string[] {
  const syllables = [
    'ba',
    'ko',
    'ru',
    'te',
    'si',
    'mo',
    'la',
    'ne',
    'pi',
    'da',
    'fu',
    'go',
    'ha',
    'ji',
    'vu',
  ];
  const words: string[] = [];
  for (let i = 0; words.length < VOCABULARY; i++) {
    let n = i;
    let word = '';
    do {
      word += syllables[n % syllables.length];
      n = Math.floor(n / syllables.length);
    } while (n > 0 || word.length < 4);
    words.push(word);
  }
  return words;
}

function zipfDraw(seed: number): () => number {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Rank r with probability ~1/r: the inverse of the harmonic CDF, close enough.
  return () => Math.min(VOCABULARY - 1, Math.floor(Math.exp(next() * Math.log(VOCABULARY + 1))) - 1);
}

export interface Engine {
  name: string;
  databaseUrl?: string;
  cleanup: () => Promise<void>;
}

/** A fresh schema on the test PostgreSQL, or null (with the reason printed) when it does not answer. */
export async function postgresEngine(): Promise<Engine | null> {
  const schema = `bench_search_${randomUUID().slice(0, 8)}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    console.warn(`  PostgreSQL at ${TEST_DATABASE_URL} not reachable: ${(error as Error).message}`);
    await client.end().catch(() => undefined);
    return null;
  }
  await client.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'PostgreSQL',
    databaseUrl: url.toString(),
    cleanup: async () => {
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      await dropper.query(`DROP SCHEMA ${schema} CASCADE`);
      await dropper.end();
    },
  };
}

/** Sends `count` messages spread over the conversations, `SEND_WINDOW` in flight. */
async function seed(
  wsUrl: string,
  sender: BenchUser,
  conversationIds: string[],
  count: number,
): Promise<number> {
  const words = vocabulary();
  const draw = zipfDraw(42);
  const client = await RawClient.open(wsUrl);
  await client.authenticateAndJoin(sender.token, conversationIds[0] as string);
  let acked = 0;
  let sent = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const sendNext = () => {
      if (sent >= count) return;
      const index = sent++;
      const body = Array.from({ length: WORDS_PER_MESSAGE }, () => words[draw()]).join(' ');
      // One message in a hundred carries an accented word, to search without accents.
      const accented = index % 100 === 0 ? `${body} Café` : body;
      client.send({
        type: 'send_message',
        conversation_id: conversationIds[index % conversationIds.length] as string,
        client_id: randomUUID(),
        body: accented,
      });
    };
    client.onFrame = (frame) => {
      if (frame.type === 'error') reject(new Error(`seeding: ${frame.code} ${frame.message}`));
      if (frame.type !== 'message_ack') return;
      acked++;
      if (acked === count) resolve();
      else sendNext();
    };
    for (let i = 0; i < SEND_WINDOW; i++) sendNext();
  });
  await client.close();
  return count / ((performance.now() - started) / 1000);
}

export async function runSearch(ctx: BenchContext): Promise<ScenarioReport> {
  const { options, failures, repoRoot } = ctx;
  const words = vocabulary();
  const queries: Array<{ kind: string; q: string }> = [
    { kind: 'rare word', q: words[VOCABULARY - 2] as string },
    { kind: 'common word', q: words[1] as string },
    { kind: 'two words', q: `${words[3]} ${words[40]}` },
    { kind: 'prefix (last word)', q: (words[25] as string).slice(0, 3) },
    { kind: 'accent-insensitive', q: 'cafe' },
  ];
  const engines: Engine[] = [{ name: 'SQLite', cleanup: async () => undefined }];
  const postgres = await postgresEngine();
  if (postgres) engines.push(postgres);

  const rows: string[][] = [];
  for (const engine of engines) {
    const server = await startChatServer(repoRoot, {
      synchronous: 'NORMAL',
      ...(engine.databaseUrl ? { databaseUrl: engine.databaseUrl } : {}),
    });
    try {
      const [viewer, ...others] = await mintUsers(server.jwtSecret, 11, 'search');
      if (!viewer) throw new Error('no viewer');
      await provisionUsers(server.url, [viewer, ...others]);
      const conversationIds = await mapLimit(
        Array.from({ length: CONVERSATIONS }, (_, i) => i),
        8,
        async (i) =>
          (
            await api<{ conversation: { id: string } }>(server.url, viewer, '/api/conversations', {
              member_ids: [others[i % others.length]!.id, others[(i + 1) % others.length]!.id],
            })
          ).conversation.id,
      );
      const rate = await seed(server.wsUrl, viewer, conversationIds, options.searchMessages);
      console.log(`  ${engine.name}: ${int(options.searchMessages)} messages stored at ${int(rate)}/s`);
      for (const { kind, q } of queries) {
        const latency = new LatencyRecorder();
        let found = 0;
        for (let i = 0; i < options.searchQueries; i++) {
          const started = performance.now();
          const result = await api<{ results: unknown[] }>(
            server.url,
            others[0]!,
            `/api/search?q=${encodeURIComponent(q)}&limit=20`,
          );
          latency.record(performance.now() - started);
          found = result.results.length;
        }
        const summary = latency.summary();
        const met = summary.p95 < 50 ? 'met' : 'not met';
        console.log(
          `  ${engine.name} ${kind} "${q}": p50 ${ms(summary.p50)} p95 ${ms(summary.p95)} ms (${met})`,
        );
        rows.push([engine.name, kind, `\`${q}\``, String(found), ...latencyCells(summary), met]);
      }
    } finally {
      failures.push(...serverFailures(`search ${engine.name}`, server, await server.dispose()));
      await engine.cleanup();
    }
  }
  return {
    title: `5. Search over ${int(options.searchMessages)} messages (${CONVERSATIONS} conversations)`,
    markdown: [
      `\`GET /api/search?limit=20\` by a member of all ${CONVERSATIONS} conversations (the messages were sent ` +
        `through the server, ${WORDS_PER_MESSAGE} words each from ${int(VOCABULARY)} with a Zipf-like spread), ` +
        `${options.searchQueries} requests per query, one at a time. Target: p95 under 50 ms.`,
      '',
      table(['Engine', 'Query', 'q', 'Results', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p95 < 50 ms'], rows),
    ].join('\n'),
  };
}
