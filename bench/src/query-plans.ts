import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { historyQueries } from '../../apps/server/src/storage/postgres/history';
import { conversationQueries as postgresConversations } from '../../apps/server/src/storage/postgres/conversations';
import { createPostgresStorage } from '../../apps/server/src/storage/postgres/postgres-storage';
import { attachmentQueries } from '../../apps/server/src/storage/sqlite/attachments';
import { conversationListQueries } from '../../apps/server/src/storage/sqlite/conversation-list';
import { conversationQueries as sqliteConversations } from '../../apps/server/src/storage/sqlite/conversations';
import { messageQueries } from '../../apps/server/src/storage/sqlite/messages';
import { searchIndexQueries } from '../../apps/server/src/storage/sqlite/search-index';
import { createSqliteStorage } from '../../apps/server/src/storage/sqlite/sqlite-storage';
import { int } from './format';
import { loadOptions } from './options';
import { postgresEngine } from './scenarios/search';
import { conversationUuid, seedPostgres, seedSqlite, type Shape } from './scenarios/data-growth';

/**
 * The query plans of the reads that must stay flat as data grows (issue 13):
 * the conversation list, a join and a history page, exactly as the server's
 * storage runs them, on a store seeded as the data-growth scenario seeds it.
 * SQLite: `EXPLAIN QUERY PLAN` of every statement the storage ran (captured by
 * better-sqlite3's `verbose` hook, parameters filled in). PostgreSQL: `EXPLAIN
 * (ANALYZE, BUFFERS)` of the generic plan of each named statement, the plan a
 * server connection settles on after five executions.
 *
 *   npm run plans -w @chat/bench -- --growth-messages=1000000
 *
 * A diagnostic, not a scenario: it reads the server's storage modules directly.
 */
const VIEWER_ID = '00000000-0000-4000-b000-000000000001';

async function main(): Promise<void> {
  const options = loadOptions(process.env, process.argv.slice(2), '');
  const shape: Shape = {
    messages: options.growthMessages,
    conversations: options.growthConversations,
    users: options.growthUsers,
    viewerId: VIEWER_ID,
  };
  console.log(
    `# Query plans: ${int(shape.messages)} messages, ${int(shape.conversations)} conversations, ` +
      `${int(shape.users)} users; the viewer in 200 conversations\n`,
  );
  await sqlitePlans(shape);
  await postgresPlans(shape);
}

async function sqlitePlans(shape: Shape): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-plans-'));
  try {
    const filename = join(dir, 'chat.db');
    const storage = createSqliteStorage({ filename, writerThread: false });
    await storage.ensureUser({ id: VIEWER_ID, email: 'viewer@bench.invalid', display_name: 'Viewer' });
    await storage.close();
    seedSqlite(filename, shape);

    let ran: string[] = [];
    const db = new Database(filename, { verbose: (sql) => ran.push(String(sql)) });
    const conversations = sqliteConversations(db);
    const messages = messageQueries(db, conversations, attachmentQueries(db), searchIndexQueries(db));
    // A new list keeps nothing yet: its first listing runs all four statements.
    const list = conversationListQueries(db);
    const reads: Array<[string, () => unknown]> = [
      ['GET /api/conversations', () => list.listConversationsJson(VIEWER_ID)],
      ['join_conversation', () => messages.joinSnapshot(conversationUuid(7), undefined)],
      ['history page', () => messages.messagesBefore(conversationUuid(7), 90, 50)],
    ];
    console.log('## SQLite\n');
    for (const [name, read] of reads) {
      ran = [];
      read();
      const statements = ran;
      ran = [];
      console.log(`### ${name}\n\n\`\`\`text`);
      for (const sql of statements) {
        console.log(`-- ${oneLine(sql).slice(0, 110)}…`);
        const plan = db
          .prepare<[], { id: number; parent: number; detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all();
        const depth = new Map<number, number>([[0, 0]]);
        for (const step of plan) {
          const level = (depth.get(step.parent) ?? 0) + 1;
          depth.set(step.id, level);
          console.log(`${'  '.repeat(level - 1)}${step.detail}`);
        }
      }
      console.log('```\n');
    }
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresPlans(shape: Shape): Promise<void> {
  const engine = await postgresEngine();
  if (!engine?.databaseUrl) {
    console.log('## PostgreSQL\n\nnot reachable: skipped');
    return;
  }
  try {
    const storage = await createPostgresStorage({ connectionString: engine.databaseUrl });
    await storage.ensureUser({ id: VIEWER_ID, email: 'viewer@bench.invalid', display_name: 'Viewer' });
    await storage.close();
    await seedPostgres(engine.databaseUrl, shape);

    // The storage's queries on a pool that notes each named statement it runs.
    const pool = new pg.Pool({ connectionString: engine.databaseUrl, max: 2 });
    const ran: pg.QueryConfig[] = [];
    const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
    (pool as unknown as { query: typeof query }).query = (config) => {
      ran.push(config);
      return query(config);
    };
    const conversations = postgresConversations(pool);
    const history = historyQueries(pool);
    const reads: Array<[string, () => Promise<unknown>]> = [
      ['GET /api/conversations, nothing kept yet', () => conversations.listConversationsJson(VIEWER_ID)],
      ['GET /api/conversations again, nothing moved', () => conversations.listConversationsJson(VIEWER_ID)],
      ['join_conversation', () => history.joinSnapshot(conversationUuid(7), undefined)],
      ['history page', () => history.messagesBefore(conversationUuid(7), 90, 50)],
    ];
    console.log('## PostgreSQL\n');
    const client = await pool.connect();
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
      for (const [name, read] of reads) {
        ran.length = 0;
        await read();
        for (const config of ran.splice(0)) {
          const values = (config.values ?? []).map((value) => client.escapeLiteral(literal(value)));
          const args = values.length ? `(${values.join(', ')})` : '';
          await client.query(`PREPARE plan_of AS ${config.text}`);
          // Planned at the first execution and kept, as on a server connection.
          await client.query(`EXECUTE plan_of${args}`);
          const { rows } = await client.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE plan_of${args}`,
          );
          await client.query('DEALLOCATE plan_of');
          console.log(`### ${name} (\`${config.name ?? 'unnamed'}\`, generic plan)\n\n\`\`\`text`);
          for (const row of rows) console.log(row['QUERY PLAN']);
          console.log('```\n');
        }
      }
    } finally {
      client.release();
      await pool.end();
    }
  } finally {
    await engine.cleanup();
  }
}

/** A parameter as PostgreSQL's text input reads it: arrays as array literals (`{"a",NULL}`). */
function literal(value: unknown): string {
  if (!Array.isArray(value)) return String(value);
  const items = value.map((item) =>
    item === null ? 'NULL' : `"${String(item).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`,
  );
  return `{${items.join(',')}}`;
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

await main();
