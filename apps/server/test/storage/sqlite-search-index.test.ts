import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { searchTerms } from '../../src/domain/search-text';
import { SEARCH_INDEX_BATCH } from '../../src/storage/sqlite/search-index';
import type { Storage } from '../../src/storage/storage';
import { makeConversation, makeUsers, newMessage, send, sendMany } from './contract/fixture';
import { makeSqliteStorage } from './sqlite-fixture';

/**
 * The SQLite full-text index is filled in bulk (migration 010, search-index.ts):
 * rows wait until a batch of sends brings them to SEARCH_INDEX_BATCH or a search
 * comes. Searches must still see every stored message as it reads now, and the
 * index must never hold a row other than as it reads.
 */
describe('sqlite search index, filled in bulk', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function setUp() {
    const fixture = await makeSqliteStorage();
    cleanup = fixture.cleanup;
    const [ann, bob] = await makeUsers(fixture.storage, 'ann', 'bob');
    const conversationId = await makeConversation(fixture.storage, ann!, [bob!]);
    // The file as a connection of the test's own sees it: what is committed.
    const raw = () => new Database(fixture.filename);
    return { storage: fixture.storage, ann: ann!, conversationId, raw };
  }

  it('a search finds messages still waiting, as edited and unsent since', async () => {
    const { storage, ann, conversationId, raw } = await setUp();
    const kept = await send(storage, conversationId, ann, 'the falcon lands at noon');
    const edited = await send(storage, conversationId, ann, 'meet at the harbour');
    const unsent = await send(storage, conversationId, ann, 'the falcon is a decoy');
    expect(waiting(raw())).toBe(3);

    const now = new Date();
    await storage.editMessage({ message_id: edited.id, user_id: ann.id, body: 'meet at the station', now });
    await storage.deleteMessage({ message_id: unsent.id, user_id: ann.id, now });

    expect(await bodies(storage, ann.id, 'falcon')).toEqual([kept.body]);
    expect(await bodies(storage, ann.id, 'harbour')).toEqual([]);
    expect(await bodies(storage, ann.id, 'station')).toEqual(['meet at the station']);
    expect(waiting(raw())).toBe(0);
    expectIndexMatchesRows(raw());

    // Indexed rows change through the triggers now.
    await storage.editMessage({ message_id: kept.id, user_id: ann.id, body: 'the eagle lands', now });
    expect(await bodies(storage, ann.id, 'falcon')).toEqual([]);
    expect(await bodies(storage, ann.id, 'eagle')).toEqual(['the eagle lands']);
    expectIndexMatchesRows(raw());
  });

  it('the batch of sends that brings the waiting rows to SEARCH_INDEX_BATCH indexes them', async () => {
    const { storage, ann, conversationId, raw } = await setUp();
    await sendMany(storage, conversationId, ann, SEARCH_INDEX_BATCH - 1);
    expect(waiting(raw())).toBe(SEARCH_INDEX_BATCH - 1);
    await storage.appendMessages([newMessage(conversationId, ann, 'one more')]);
    expect(waiting(raw())).toBe(0);
    expectIndexMatchesRows(raw());
    expect(await bodies(storage, ann.id, 'more')).toEqual(['one more']);
  });

  it('rows deleted from the top are not reused below the mark unindexed', async () => {
    const { storage, ann, conversationId, raw } = await setUp();
    await send(storage, conversationId, ann, 'first words');
    const last = await send(storage, conversationId, ann, 'second words');
    expect(await bodies(storage, ann.id, 'words')).toHaveLength(2);
    // No server path deletes message rows today; a retention job would.
    const db = raw();
    db.prepare('DELETE FROM messages WHERE id = ?').run(last.id);
    db.close();
    const reused = await send(storage, conversationId, ann, 'third words');
    expect(await bodies(storage, ann.id, 'words')).toEqual([reused.body, 'first words']);
    expectIndexMatchesRows(raw());
  });
});

async function bodies(storage: Storage, viewerId: string, q: string): Promise<string[]> {
  const terms = searchTerms(q);
  if (!terms) throw new Error(`no words in ${q}`);
  const found = await storage.searchMessages({ viewer_id: viewerId, terms, limit: 20 });
  return found.results.map((hit) => hit.message.body);
}

function waiting(db: Database.Database): number {
  try {
    const row = db
      .prepare<[], { waiting: number }>(
        `SELECT (SELECT coalesce(max(rowid), 0) FROM messages) - indexed_through AS waiting FROM search_index_state`,
      )
      .get();
    return row?.waiting ?? -1;
  } finally {
    db.close();
  }
}

/** FTS5's own check of an external-content index against the rows it indexes. */
function expectIndexMatchesRows(db: Database.Database): void {
  try {
    expect(() =>
      db.exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`),
    ).not.toThrow();
  } finally {
    db.close();
  }
}
