import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '@chat/protocol';
import { planAddMembers, planChangeRole, planRemoveMember } from '../../src/domain/group-rules';
import { searchTerms } from '../../src/domain/search-text';
import { readMigrations } from '../../src/storage/migrations';
import { arrayParam, createPool } from '../../src/storage/postgres/database';
import { POSTGRES_MIGRATIONS_DIR, migratePostgres } from '../../src/storage/postgres/migrate';
import { createPostgresStorage } from '../../src/storage/postgres/postgres-storage';
import type { Storage } from '../../src/storage/storage';
import { api, connectAs, createConversation, createUser } from '../support/fixtures';
import { frameOf } from '../support/protocol';
import { startTestServer } from '../support/test-server';
import { createdMessage, makeConversation, makeUsers, newMessage, sleep } from './contract/fixture';
import { describeStorageContract, type StorageFixture } from './storage-contract';

/**
 * The storage contract against the machine's PostgreSQL (TEST_DATABASE_URL), each
 * test in a fresh schema `chat_test_<random>` that is dropped afterwards, so runs
 * in parallel (other files, other checkouts) never see each other's rows. Without
 * a reachable server the file is skipped, saying why.
 */
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why the tests cannot run here, or null when PostgreSQL answers at DATABASE_URL. */
async function unavailableReason(): Promise<string | null> {
  let shown = DATABASE_URL;
  let client: pg.Client | undefined;
  try {
    const url = new URL(DATABASE_URL);
    if (url.password) url.password = '***';
    shown = url.toString();
    client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `${shown} is not reachable (${(error as Error).message || String(error)}); set TEST_DATABASE_URL`;
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** The URL with `options` appended to its own (pg takes the URL's options over the ones beside it). */
function withOptions(url: string, options: string): string {
  const parsed = new URL(url);
  const own = parsed.searchParams.get('options');
  parsed.searchParams.set('options', own ? `${own} ${options}` : options);
  return parsed.toString();
}

const skipReason = await unavailableReason();
if (skipReason) console.warn(`postgres tests skipped: ${skipReason}`);
const describePostgres = skipReason ? describe.skip : describe;

const admin = skipReason ? null : new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
afterAll(async () => {
  await admin?.end();
});

async function adminQuery(sql: string): Promise<pg.QueryResult> {
  if (!admin) throw new Error('postgres is not available');
  return admin.query(sql);
}

/**
 * The stores under test commit without waiting for the WAL flush: what a commit
 * shows and how writers serialise is unchanged, only a power loss could drop the
 * last commits, which no test here checks (the SQLite server tests run NORMAL too).
 */
const STORAGE_URL = skipReason ? DATABASE_URL : withOptions(DATABASE_URL, '-c synchronous_commit=off');

const newSchemaName = () => `chat_test_${randomBytes(6).toString('hex')}`;

/**
 * A fresh schema; `open` makes a Storage on it (its own pool, as another server
 * process would have). Cleanup closes them all and drops the schema.
 */
async function freshSchema(connectionString = STORAGE_URL) {
  const schema = newSchemaName();
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const opened: Storage[] = [];
  return {
    schema,
    async open(): Promise<Storage> {
      const storage = await createPostgresStorage({ connectionString, schema, poolSize: 4 });
      opened.push(storage);
      return storage;
    },
    async cleanup(): Promise<void> {
      for (const storage of opened) await storage.close();
      await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

async function makePostgresStorage(): Promise<StorageFixture> {
  const fresh = await freshSchema();
  return { storage: await fresh.open(), reopen: () => fresh.open(), cleanup: () => fresh.cleanup() };
}

describePostgres('postgres', () => {
  describeStorageContract('postgres', makePostgresStorage);

  describe('postgres specifics', () => {
    it('arrayParam: PostgreSQL reads back every array of ids, numbers and nulls it is given', async () => {
      const element = fc.oneof(
        fc.string(),
        fc.uuid(),
        fc.integer(),
        fc.constant(null),
        fc.constantFrom('NULL', 'null', 'a b'),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(element, { maxLength: 8 }), async (values) => {
          const texts = values.map((value) => (value === null ? null : String(value)));
          const { rows } = await admin!.query<{ read: (string | null)[] }>('SELECT $1::text[] AS read', [
            arrayParam(values),
          ]);
          expect(rows[0]!.read).toEqual(texts);
        }),
        { numRuns: 200 },
      );
    });

    it('migrations: run once under the advisory lock, even when two processes open a new schema together', async () => {
      const fresh = await freshSchema();
      try {
        await Promise.all([fresh.open(), fresh.open(), fresh.open()]);
        await fresh.open();
        const { rows } = await adminQuery(
          `SELECT version FROM ${fresh.schema}.schema_migrations ORDER BY version`,
        );
        expect(rows.map((row: { version: string }) => row.version)).toEqual(
          readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.version),
        );
        const tables = await adminQuery(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = '${fresh.schema}'
           ORDER BY table_name`,
        );
        expect(tables.rows.map((row: { table_name: string }) => row.table_name)).toEqual([
          'agents',
          'attachments',
          'auth_one_time_tokens',
          'auth_sessions',
          'conversation_members',
          'conversations',
          'message_mentions',
          'message_streams',
          'messages',
          'push_subscriptions',
          'refresh_tokens',
          'schema_migrations',
          'users',
          'webhook_deliveries',
        ]);
      } finally {
        await fresh.cleanup();
      }
    });

    it('002 migrates a v1 database in place: replies kept, group creators admins, old messages searchable', async () => {
      const fresh = await freshSchema();
      // A v1 database: the schema as 001_init.sql left it, with v1 rows in it.
      const v1Dir = mkdtempSync(join(tmpdir(), 'chat-pg-v1-'));
      copyFileSync(
        fileURLToPath(new URL('001_init.sql', POSTGRES_MIGRATIONS_DIR)),
        join(v1Dir, '001_init.sql'),
      );
      const v1 = createPool({ connectionString: STORAGE_URL, schema: fresh.schema, poolSize: 1 });
      try {
        await migratePostgres(v1, fresh.schema, pathToFileURL(`${v1Dir}/`));
        const [ann, bob, cy] = [randomUUID(), randomUUID(), randomUUID()];
        const [group, direct] = [randomUUID(), randomUUID()];
        const [hello, reply, unsent, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        await v1.query(
          `INSERT INTO users (id, email, display_name, search_name, created_at, updated_at)
           SELECT id, lower(name) || '@example.com', name, lower(name), now(), now()
           FROM unnest($1::text[], $2::text[]) AS u (id, name)`,
          [
            [ann, bob, cy],
            ['Ann', 'Bob', 'Cy'],
          ],
        );
        await v1.query(
          `INSERT INTO conversations (id, title, is_group, direct_key, last_seq, created_at) VALUES
             ($1, 'Trip', true, NULL, 4, now()), ($2, NULL, false, $3, 1, now())`,
          [group, direct, [ann, bob].sort().join(':')],
        );
        // The creator of the group is position 0 though not the first by id.
        await v1.query(
          `INSERT INTO conversation_members (conversation_id, user_id, position, joined_at) VALUES
             ($1, $3, 0, now()), ($1, $4, 1, now()), ($1, $5, 2, now()), ($2, $4, 0, now()), ($2, $5, 1, now())`,
          [group, direct, cy, ann, bob],
        );
        await v1.query(
          `INSERT INTO messages (id, conversation_id, seq, updated_seq, sender_id, client_id, body, reply_to,
             reactions, last_change, created_at, deleted_at) VALUES
             ($1, $5, 1, 1, $7, $9, 'Café in Zürich tomorrow?', NULL, '{}', NULL, now() - interval '3 s', NULL),
             ($2, $5, 2, 3, $8, $10, 'Zurich sounds great', $1, $13::json, 'reaction',
               now() - interval '2 s', NULL),
             ($3, $5, 4, 4, $7, $11, '', NULL, '{}', 'deleted', now() - interval '1 s', now()),
             ($4, $6, 1, 1, $8, $12, 'cafe later', NULL, '{}', NULL, now(), NULL)`,
          [
            hello,
            reply,
            unsent,
            other,
            group,
            direct,
            cy,
            ann,
            randomUUID(),
            randomUUID(),
            randomUUID(),
            randomUUID(),
            JSON.stringify({ love: [ann] }),
          ],
        );
        await v1.end();

        // Two processes start on it together: 002 runs once, the backfill is shared.
        const [storage] = await Promise.all([fresh.open(), fresh.open()]);
        const unindexed = await adminQuery(
          `SELECT count(*)::int AS n FROM ${fresh.schema}.messages WHERE search_text IS NULL`,
        );
        expect(unindexed.rows[0]).toEqual({ n: 0 });

        const snapshot = await storage!.joinSnapshot(group, undefined);
        expect(snapshot.last_seq).toBe(4);
        expect(snapshot.members.map((m) => [m.user_id, m.role, m.is_agent])).toEqual([
          [cy, 'admin', false],
          [ann, 'member', false],
          [bob, 'member', false],
        ]);
        const [first, second, third] = snapshot.messages;
        expect(second).toMatchObject({ id: reply, reply_to: hello, reactions: { love: [ann] } });
        expect(third).toMatchObject({ id: unsent, body: '', deleted_at: expect.any(String) });
        for (const message of snapshot.messages) {
          expect(message).toMatchObject({ kind: 'text', event: null, attachments: [], mentions: [] });
          expect(message.state).toBe('complete');
        }
        expect(first?.client_id).toEqual(expect.any(String));
        const changes = await storage!.changesSince(group, 0, 10);
        expect(changes.map((c) => c.change)).toEqual(['created', 'reaction', 'deleted']);

        const directView = await storage!.getConversation(direct, ann);
        expect(directView?.members.map((m) => m.role)).toEqual(['member', 'member']);
        expect(directView).toMatchObject({
          settings: { muted_until: null, archived: false, pinned: false },
          unread_count: 0,
          unread_mentions: 0,
        });

        const found = await storage!.searchMessages({
          viewer_id: ann,
          terms: searchTerms('zurich')!,
          limit: 20,
        });
        expect(found.results.map((r) => r.message.id)).toEqual([reply, hello]);
        expect(found.results[1]?.matches).toEqual([[8, 14]]);
        const cafe = await storage!.searchMessages({ viewer_id: bob, terms: searchTerms('caf')!, limit: 20 });
        expect(cafe.results.map((r) => r.message.id)).toEqual([other, hello]);

        // The migrated group goes on: a new member is listed last and takes the next seq.
        const dee = (await makeUsers(storage!, 'dee'))[0]!;
        const added = await storage!.changeGroup({
          conversation_id: group,
          actor_id: ann,
          decide: (facts) => planAddMembers(facts, ann, [dee.id], 256),
        });
        expect(added).toMatchObject({
          status: 'changed',
          messages: [{ seq: 5, kind: 'system', client_id: null }],
        });
        expect(await storage!.memberIds(group)).toEqual([cy, ann, bob, dee.id]);
      } finally {
        await v1.end().catch(() => undefined);
        rmSync(v1Dir, { recursive: true, force: true });
        await fresh.cleanup();
      }
    });

    it('a schema that does not exist yet is created; a malformed schema name is refused', async () => {
      const schema = newSchemaName();
      try {
        const storage = await createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 1 });
        await storage.ping();
        await storage.close();
        const { rows } = await adminQuery(`SELECT 1 FROM pg_namespace WHERE nspname = '${schema}'`);
        expect(rows).toHaveLength(1);
      } finally {
        await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      }
      await expect(
        createPostgresStorage({ connectionString: DATABASE_URL, schema: 'Robert"); DROP TABLE x; --' }),
      ).rejects.toThrow(/invalid schema name/);
    });

    it('two processes appending concurrently into one conversation get gapless seqs, no duplicates', async () => {
      const fresh = await freshSchema();
      try {
        const [first, second] = [await fresh.open(), await fresh.open()];
        const [ann, bob] = await makeUsers(first, 'ann', 'bob');
        const id = await makeConversation(second, ann!, [bob!]);
        // The same sends retried through both processes, and fresh ones in batches of 5.
        const retried = Array.from({ length: 10 }, (_, i) => newMessage(id, i % 2 ? ann! : bob!));
        const batches = (storage: Storage) =>
          Array.from({ length: 10 }, (_, b) =>
            storage.appendMessages([
              ...Array.from({ length: 5 }, () => newMessage(id, b % 2 ? ann! : bob!)),
              retried[b]!,
            ]),
          );
        const outcomes = (await Promise.all([...batches(first), ...batches(second)])).flat();

        const created = outcomes.filter((o) => o.status === 'created').map((o) => createdMessage(o));
        const duplicates = outcomes.filter((o) => o.status === 'duplicate');
        expect(created).toHaveLength(110);
        expect(duplicates).toHaveLength(10);
        expect(created.map((m) => m.seq).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 110 }, (_, i) => i + 1),
        );
        const storedFor = new Map(created.map((m) => [m.client_id, m]));
        for (const duplicate of duplicates) {
          expect(duplicate.status === 'duplicate' && duplicate.message).toEqual(
            storedFor.get(duplicate.status === 'duplicate' ? duplicate.message.client_id : ''),
          );
        }
        expect(await first.lastSeq(id)).toBe(110);
        const history = await second.messagesBefore(id, undefined, 200);
        expect(history.messages.map((m) => m.seq)).toEqual(Array.from({ length: 110 }, (_, i) => i + 1));
      } finally {
        await fresh.cleanup();
      }
    });

    it('a (sender, client_id) another process is storing meanwhile: the batch waits, reruns, and returns it as duplicate', async () => {
      const fresh = await freshSchema();
      const other = new pg.Client({
        connectionString: withOptions(DATABASE_URL, `-c search_path=${fresh.schema}`),
      });
      try {
        const storage = await fresh.open();
        const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
        const withBob = await makeConversation(storage, ann!, [bob!]);
        const withCy = await makeConversation(storage, ann!, [cy!]);
        const input = newMessage(withBob, ann!);
        // Another process stores the same (sender, client_id) in another conversation, not yet committed.
        await other.connect();
        await other.query('BEGIN');
        await other.query('UPDATE conversations SET last_seq = 1 WHERE id = $1', [withCy]);
        await other.query(
          `INSERT INTO messages (id, conversation_id, seq, updated_seq, sender_id, client_id, body, created_at)
           VALUES ($1, $2, 1, 1, $3, $4, 'from elsewhere', now())`,
          [randomUUID(), withCy, ann!.id, input.client_id],
        );
        let settled = false;
        const pending = storage
          .appendMessages([newMessage(withBob, bob!, 'first'), input, newMessage(withBob, ann!, 'third')])
          .finally(() => {
            settled = true;
          });
        await sleep(200);
        expect(settled).toBe(false);
        await other.query('COMMIT');

        const outcomes = await pending;
        expect(outcomes.map((o) => o.status)).toEqual(['created', 'duplicate', 'created']);
        expect(outcomes[1]).toMatchObject({ message: { conversation_id: withCy, body: 'from elsewhere' } });
        expect([createdMessage(outcomes[0]).seq, createdMessage(outcomes[2]).seq]).toEqual([1, 2]);
        expect(await storage.lastSeq(withBob)).toBe(2);
      } finally {
        await other.end();
        await fresh.cleanup();
      }
    });

    it('two processes changing one message concurrently: every reaction and edit kept, seqs gapless', async () => {
      const fresh = await freshSchema();
      try {
        const [first, second] = [await fresh.open(), await fresh.open()];
        const users = await makeUsers(first, 'ann', 'bob', 'cy', 'dee', 'eve', 'fay');
        const [ann, ...others] = users;
        const id = await makeConversation(first, ann!, others);
        const [sent] = await first.appendMessages([newMessage(id, ann!, 'original')]);
        const message = createdMessage(sent);
        await Promise.all([
          ...users.map((user, i) =>
            (i % 2 ? first : second).setReaction({
              message_id: message.id,
              user_id: user.id,
              reaction: 'love',
            }),
          ),
          first.editMessage({ message_id: message.id, user_id: ann!.id, body: 'one', now: new Date() }),
          second.editMessage({ message_id: message.id, user_id: ann!.id, body: 'two', now: new Date() }),
        ]);
        const [latest] = (await second.joinSnapshot(id, undefined)).messages;
        expect(latest!.reactions.love!.slice().sort()).toEqual(users.map((u) => u.id).sort());
        expect(latest!.updated_seq).toBe(1 + users.length + 2);
        expect(await first.lastSeq(id)).toBe(latest!.updated_seq);
      } finally {
        await fresh.cleanup();
      }
    });

    it('group changes and sends from two processes interleave on the row lock: seqs gapless, members current', async () => {
      const fresh = await freshSchema();
      try {
        const [first, second] = [await fresh.open(), await fresh.open()];
        const [ann, bob, cy, ...joiners] = await makeUsers(
          first,
          'ann',
          'bob',
          'cy',
          'dee',
          'eve',
          'fay',
          'gus',
        );
        const id = await makeConversation(first, ann!, [bob!, cy!], 'Trip');
        const outcomes = await Promise.all([
          ...Array.from({ length: 8 }, (_, i) =>
            (i % 2 ? first : second).appendMessages([newMessage(id, i % 3 ? bob! : cy!)]),
          ),
          ...joiners.map((user, i) =>
            (i % 2 ? second : first).changeGroup({
              conversation_id: id,
              actor_id: ann!.id,
              decide: (facts) => planAddMembers(facts, ann!.id, [user.id], 256),
            }),
          ),
          // Each joiner mentioned as soon as they are in: refused before, accepted after.
          ...joiners.map((user) =>
            second.appendMessages([newMessage(id, ann!, 'hi', { mentions: [user.id] })]),
          ),
        ]);
        const seqs = outcomes.flatMap((outcome) =>
          Array.isArray(outcome)
            ? outcome.flatMap((o) => (o.status === 'created' ? [o.message.seq] : []))
            : outcome.status === 'changed'
              ? outcome.messages.map((m) => m.seq)
              : [],
        );
        const last = await first.lastSeq(id);
        expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        expect(last).toBeGreaterThanOrEqual(8 + joiners.length);
        expect(await second.memberIds(id)).toEqual(
          [ann, bob, cy]
            .map((u) => u!.id)
            .concat(
              (await first.changesSince(id, 0, 100)).flatMap((c) =>
                c.message.event?.type === 'members_added' ? c.message.event.user_ids : [],
              ),
            ),
        );
        // A mention was accepted exactly when its user was already a member at that seq.
        const history = (await first.messagesBefore(id, undefined, 100)).messages;
        for (const message of history.filter((m) => m.mentions.length > 0)) {
          const added = history.find(
            (m) => m.event?.type === 'members_added' && m.event.user_ids.includes(message.mentions[0]!),
          );
          expect(added!.seq).toBeLessThan(message.seq);
        }
      } finally {
        await fresh.cleanup();
      }
    });

    it('read receipts, role changes, removals and renames from two processes at once: none deadlocks, lists current', async () => {
      // Group changes and renames bump members_version (migration 012) under the
      // conversations' row locks, renames in id order; receipts write only their member's row.
      const fresh = await freshSchema();
      try {
        const [first, second] = [await fresh.open(), await fresh.open()];
        const users = await makeUsers(first, 'ann', 'bob', 'cy', 'dee', 'eve');
        const [ann, bob, cy, dee, eve] = users;
        const ids = [
          await makeConversation(first, ann!, [bob!, cy!, dee!, eve!], 'One'),
          await makeConversation(first, ann!, [bob!, cy!, dee!], 'Two'),
          await makeConversation(first, ann!, [cy!, dee!, eve!], 'Three'),
        ];
        for (const id of ids) await first.appendMessages([newMessage(id, ann!), newMessage(id, ann!)]);
        await Promise.all([first.listConversationsJson(bob!.id), second.listConversationsJson(cy!.id)]);
        const work: Array<Promise<unknown>> = [];
        for (let round = 0; round < 6; round++) {
          const [storage, other] = round % 2 ? [first, second] : [second, first];
          for (const id of ids) {
            for (const reader of [bob!, cy!, dee!, eve!]) {
              work.push(storage.markRead({ conversation_id: id, user_id: reader.id, seq: round + 1 }));
            }
            work.push(
              other.changeGroup({
                conversation_id: id,
                actor_id: ann!.id,
                decide: (facts) => planChangeRole(facts, ann!.id, dee!.id, round % 2 ? 'admin' : 'member'),
              }),
              storage.appendMessages([newMessage(id, cy!)]),
            );
          }
          work.push(other.updateAuthUser(cy!.id, { display_name: `Cy ${round}` }, new Date()));
          work.push(storage.updateAuthUser(dee!.id, { display_name: `Dee ${round}` }, new Date()));
          work.push(first.listConversationsJson(bob!.id), second.listConversationsJson(cy!.id));
        }
        work.push(
          second.changeGroup({
            conversation_id: ids[0]!,
            actor_id: ann!.id,
            decide: (facts) => planRemoveMember(facts, ann!.id, eve!.id),
          }),
          first.markRead({ conversation_id: ids[0]!, user_id: eve!.id, seq: 10 }),
        );
        const outcomes = await Promise.allSettled(work);
        expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
        for (const [storage, viewer] of [
          [first, bob!],
          [second, cy!],
          [first, dee!],
        ] as const) {
          for (const conversation of await storage.listConversations(viewer.id)) {
            expect(conversation).toEqual(await storage.getConversation(conversation.id, viewer.id));
          }
        }
      } finally {
        await fresh.cleanup();
      }
    });

    it("times are Date.toISOString() whatever the session's time zone", async () => {
      const fresh = await freshSchema(withOptions(STORAGE_URL, '-c TimeZone=Asia/Kolkata'));
      try {
        const storage = await fresh.open();
        const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
        const id = await makeConversation(storage, ann!, [bob!]);
        const [outcome] = await storage.appendMessages([newMessage(id, ann!)]);
        const message = createdMessage(outcome);
        const now = new Date(Date.parse(message.created_at) + 1234);
        await storage.editMessage({ message_id: message.id, user_id: ann!.id, body: 'edited', now });
        const conversation = (await storage.getConversation(id, bob!.id))!;
        const last = conversation.last_message as Message;
        expect(last.created_at).toBe(message.created_at);
        expect(last.edited_at).toBe(now.toISOString());
        expect(conversation.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        const [listed] = await storage.listConversations(ann!.id);
        expect(listed!.last_message).toEqual(last);
      } finally {
        await fresh.cleanup();
      }
    });

    it('searchUsers folds non-ASCII case too, whatever the database locale', async () => {
      const { storage, cleanup } = await makePostgresStorage();
      try {
        const emile = await storage.ensureUser({
          id: randomUUID(),
          email: 'e@example.com',
          display_name: 'Émile Zola',
        });
        expect(await storage.searchUsers('éM', randomUUID(), 20)).toEqual([emile]);
        expect(await storage.searchUsers('ZOL', randomUUID(), 20)).toEqual([emile]);
      } finally {
        await cleanup();
      }
    });

    it('close: further calls reject and a second close is harmless', async () => {
      const { storage, cleanup } = await makePostgresStorage();
      await storage.close();
      await expect(storage.close()).resolves.toBeUndefined();
      await expect(storage.ping()).rejects.toThrow();
      await cleanup();
    });
  });

  describe('the server on postgres', () => {
    it('createServer({ databaseUrl }): a message sent over the socket is read back over REST', async () => {
      const schema = newSchemaName();
      await adminQuery(`CREATE SCHEMA ${schema}`);
      const ts = await startTestServer({
        databaseUrl: withOptions(STORAGE_URL, `-c search_path=${schema}`),
      });
      try {
        expect(ts.server.storage.kind).toBe('postgres');
        const [alice, bob] = [await createUser(ts.server, 'Alice'), await createUser(ts.server, 'Bob')];
        const conversation = await createConversation(ts.server, alice, [bob]);
        const socket = await connectAs(ts.server, alice);
        const clientId = randomUUID();
        const ack = frameOf(
          await socket.request({
            type: 'send_message',
            conversation_id: conversation.id,
            client_id: clientId,
            body: 'hello from postgres',
          }),
          'message_ack',
        );
        socket.close();
        const response = await api(
          ts.server,
          bob.token,
          'GET',
          `/api/conversations/${conversation.id}/messages`,
        );
        expect(response.status).toBe(200);
        const { messages } = (await response.json()) as { messages: Message[] };
        expect(messages).toEqual([ack.message]);
        expect(messages[0]).toMatchObject({ seq: 1, body: 'hello from postgres', client_id: clientId });
        const ready = await api(ts.server, null, 'GET', '/readyz');
        expect(await ready.json()).toMatchObject({ status: 'ready', storage: 'postgres' });
      } finally {
        await ts.dispose();
        await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      }
    });
  });
});
