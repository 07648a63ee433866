import { describe, expect, it } from 'vitest';
import { planRename } from '../../../src/domain/group-rules';
import { searchTerms } from '../../../src/domain/search-text';
import type { Storage } from '../../../src/storage/storage';
import { makeConversation, makeUsers, send, useFixture, type MakeStorage } from './fixture';

async function search(
  storage: Storage,
  viewerId: string,
  q: string,
  extra: { conversation_id?: string; before?: string; limit?: number } = {},
) {
  const terms = searchTerms(q);
  if (!terms) throw new Error(`no words in ${q}`);
  return storage.searchMessages({ viewer_id: viewerId, terms, limit: extra.limit ?? 20, ...extra });
}

const bodies = (found: { results: Array<{ message: { body: string } }> }) =>
  found.results.map((r) => r.message.body);

/** docs/protocol.md section 12 in storage: both engines find the same messages the same way. */
export function searchContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('search (v2)', () => {
    it('searchMessages: every word, in any order, case- and accent-insensitive, newest first, with match ranges', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await send(storage, id, ann!, 'Café au lait in Zürich');
      await send(storage, id, bob!, 'the cafe is closed');
      await send(storage, id, bob!, 'zurich only');
      const found = await search(storage, ann!.id, 'zurich CAFE');
      expect(bodies(found)).toEqual(['Café au lait in Zürich']);
      expect(found.results[0]?.matches).toEqual([
        [0, 4],
        [16, 22],
      ]);
      expect(bodies(await search(storage, bob!.id, 'cafe'))).toEqual([
        'the cafe is closed',
        'Café au lait in Zürich',
      ]);
    });

    it('searchMessages: words compare whole, except that the last may be the start of a word', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await send(storage, id, ann!, 'concatenate the catalogue');
      await send(storage, id, ann!, 'a cat sat');
      expect(bodies(await search(storage, ann!.id, 'cat sat'))).toEqual(['a cat sat']);
      expect(bodies(await search(storage, ann!.id, 'sat cat'))).toEqual(['a cat sat']);
      expect(bodies(await search(storage, ann!.id, 'cat'))).toEqual([
        'a cat sat',
        'concatenate the catalogue',
      ]);
      expect(bodies(await search(storage, ann!.id, 'catalogue cat'))).toEqual(['concatenate the catalogue']);
      expect(bodies(await search(storage, ann!.id, 'at'))).toEqual([]);
    });

    it("searchMessages: only the viewer's conversations; deleted and system messages never; an edit by its new text only", async () => {
      const { storage } = fixture();
      const [ann, bob, cy, eve] = await makeUsers(storage, 'ann', 'bob', 'cy', 'eve');
      const mine = await makeConversation(storage, ann!, [bob!, cy!], 'Plans');
      const theirs = await makeConversation(storage, bob!, [eve!]);
      const edited = await send(storage, mine, ann!, 'meet at noon');
      const unsent = await send(storage, mine, ann!, 'meet at the station');
      await send(storage, theirs, bob!, 'meet secretly');
      await storage.changeGroup({
        conversation_id: mine,
        actor_id: ann!.id,
        decide: (facts) => planRename(facts, ann!.id, 'meet'),
      });
      await storage.editMessage({
        message_id: edited.id,
        user_id: ann!.id,
        body: 'lunch at one',
        now: new Date(),
      });
      await storage.deleteMessage({ message_id: unsent.id, user_id: ann!.id, now: new Date() });
      expect(bodies(await search(storage, ann!.id, 'meet'))).toEqual([]);
      expect(bodies(await search(storage, ann!.id, 'lunch'))).toEqual(['lunch at one']);
      expect(bodies(await search(storage, bob!.id, 'meet'))).toEqual(['meet secretly']);
      expect(bodies(await search(storage, bob!.id, 'meet', { conversation_id: mine }))).toEqual([]);
    });

    it('searchMessages: pages newest first with before and has_more; an unknown before finds nothing', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      for (let i = 1; i <= 5; i++) await send(storage, id, ann!, `note ${i}`);
      const first = await search(storage, ann!.id, 'note', { limit: 2 });
      expect(bodies(first)).toEqual(['note 5', 'note 4']);
      expect(first.has_more).toBe(true);
      const second = await search(storage, ann!.id, 'note', {
        limit: 2,
        before: first.results[1]!.message.id,
      });
      expect(bodies(second)).toEqual(['note 3', 'note 2']);
      const last = await search(storage, ann!.id, 'note', {
        limit: 2,
        before: second.results[1]!.message.id,
      });
      expect(bodies(last)).toEqual(['note 1']);
      expect(last.has_more).toBe(false);
      const unknown = await search(storage, ann!.id, 'note', {
        before: '00000000-0000-4000-8000-000000000000',
      });
      expect(unknown).toEqual({ results: [], has_more: false });
    });
  });
}
