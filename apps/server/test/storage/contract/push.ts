import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../../src/storage/storage';
import { makeConversation, makeUsers, useFixture, type MakeStorage } from './fixture';

const endpoint = () => `https://push.example.com/send/${randomUUID()}`;

async function subscribe(storage: Storage, userId: string, at = endpoint(), p256dh = 'BKey', auth = 'auth1') {
  await storage.savePushSubscription({ user_id: userId, endpoint: at, p256dh, auth, now: new Date() });
  return at;
}

/** Section 13: push subscriptions per user, and what a push needs of a conversation. */
export function pushContract(makeStorage: MakeStorage): void {
  describe('push subscriptions', () => {
    const fixture = useFixture(makeStorage);

    it('push: a subscription is stored per user and listed for the users asked', async () => {
      const { storage } = fixture();
      const [ada, bob, cy] = await makeUsers(storage, 'ada', 'bob', 'cy');
      const a = await subscribe(storage, ada!.id);
      const b1 = await subscribe(storage, bob!.id);
      const b2 = await subscribe(storage, bob!.id);
      await subscribe(storage, cy!.id);
      const listed = await storage.pushSubscriptionsOf([ada!.id, bob!.id]);
      expect(listed.map((s) => s.endpoint).sort()).toEqual([a, b1, b2].sort());
      expect(listed.find((s) => s.endpoint === a)).toEqual({
        endpoint: a,
        user_id: ada!.id,
        p256dh: 'BKey',
        auth: 'auth1',
      });
      expect(await storage.pushSubscriptionsOf([])).toEqual([]);
    });

    it('push: the same endpoint again replaces it, and moves it to whoever subscribed it last', async () => {
      const { storage } = fixture();
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const at = await subscribe(storage, ada!.id);
      await subscribe(storage, ada!.id, at, 'BNew', 'auth2');
      expect(await storage.pushSubscriptionsOf([ada!.id])).toEqual([
        { endpoint: at, user_id: ada!.id, p256dh: 'BNew', auth: 'auth2' },
      ]);
      await subscribe(storage, bob!.id, at, 'BBob', 'auth3');
      expect(await storage.pushSubscriptionsOf([ada!.id])).toEqual([]);
      expect(await storage.pushSubscriptionsOf([bob!.id])).toEqual([
        { endpoint: at, user_id: bob!.id, p256dh: 'BBob', auth: 'auth3' },
      ]);
    });

    it("push: a user deletes only their own subscription; a dead endpoint is deleted whoever's it is", async () => {
      const { storage } = fixture();
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const a = await subscribe(storage, ada!.id);
      const b = await subscribe(storage, bob!.id);
      expect(await storage.deletePushSubscription({ user_id: bob!.id, endpoint: a })).toBe(false);
      expect(await storage.pushSubscriptionsOf([ada!.id])).toHaveLength(1);
      expect(await storage.deletePushSubscription({ user_id: ada!.id, endpoint: a })).toBe(true);
      expect(await storage.pushSubscriptionsOf([ada!.id])).toEqual([]);
      expect(await storage.deletePushEndpoint(b)).toBe(true);
      expect(await storage.deletePushEndpoint(b)).toBe(false);
      expect(await storage.pushSubscriptionsOf([bob!.id])).toEqual([]);
    });

    it("push: the audience is the conversation's title and its members with names, mutes and whether they subscribed", async () => {
      const { storage } = fixture();
      const [ada, bob, cy] = await makeUsers(storage, 'ada', 'bob', 'cy');
      const group = await makeConversation(storage, ada!, [bob!, cy!], 'Trip');
      const until = new Date(Date.now() + 3600_000);
      await storage.updateSettings({
        conversation_id: group,
        user_id: bob!.id,
        changes: { muted_until: until.toISOString() },
        now: new Date(),
      });
      const audience = await storage.pushAudience(group);
      expect(audience?.title).toBe('Trip');
      const members = [...(audience?.members ?? [])].sort((x, y) =>
        x.display_name.localeCompare(y.display_name),
      );
      expect(members.map((m) => [m.user_id, m.display_name])).toEqual([
        [ada!.id, 'Ada'],
        [bob!.id, 'Bob'],
        [cy!.id, 'Cy'],
      ]);
      expect(Date.parse(members[1]!.muted_until ?? '')).toBe(until.getTime());
      expect(members[0]!.muted_until).toBeNull();
      expect(members.map((m) => m.subscribed)).toEqual([false, false, false]);
      const at = await subscribe(storage, cy!.id);
      const subscribed = (await storage.pushAudience(group))?.members.filter((m) => m.subscribed);
      expect(subscribed?.map((m) => m.user_id)).toEqual([cy!.id]);
      await storage.deletePushEndpoint(at);
      expect((await storage.pushAudience(group))?.members.some((m) => m.subscribed)).toBe(false);
      const direct = await makeConversation(storage, ada!, [bob!]);
      expect((await storage.pushAudience(direct))?.title).toBeNull();
      expect(await storage.pushAudience(randomUUID())).toBeNull();
    });
  });
}
