import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../../src/storage/storage';
import {
  createdMessage,
  makeConversation,
  makeUsers,
  newMessage,
  useFixture,
  type MakeStorage,
} from './fixture';

async function makeAgent(storage: Storage, ownerId: string, webhookUrl: string | null) {
  const now = new Date();
  const agent = await storage.createAgent({
    id: randomUUID(),
    owner_id: ownerId,
    display_name: 'Hook Bot',
    description: null,
    public: false,
    api_key_hash: randomUUID().replaceAll('-', ''),
    webhook_secret_sealed: 'sealed-secret',
    now,
  });
  if (webhookUrl !== null) await storage.updateAgent(agent.id, { webhook_url: webhookUrl }, now);
  return agent;
}

const seconds = (base: Date, s: number) => new Date(base.getTime() + s * 1000);

/** Section 14: the stored webhook delivery queue. */
export function webhooksContract(makeStorage: MakeStorage): void {
  describe('webhook deliveries', () => {
    const fixture = useFixture(makeStorage);

    it('webhooks: recipients are the agent members with a webhook on, never the sender', async () => {
      const { storage } = fixture();
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const hooked = await makeAgent(storage, ada!.id, 'https://hooks.example.com/a');
      const plain = await makeAgent(storage, ada!.id, null);
      await makeAgent(storage, ada!.id, 'https://hooks.example.com/not-a-member');
      const group = await makeConversation(storage, ada!, [bob!, hooked, plain], 'Team');
      expect(await storage.webhookRecipients(group, ada!.id)).toEqual([hooked.id]);
      expect(await storage.webhookRecipients(group, hooked.id)).toEqual([]);
      await storage.turnOffWebhook(hooked.id);
      expect(await storage.webhookRecipients(group, ada!.id)).toEqual([]);
    });

    it('appendMessages: the audience read with a send is what pushAudience and webhookRecipients answer', async () => {
      const { storage } = fixture();
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const hooked = await makeAgent(storage, ada!.id, 'https://hooks.example.com/a');
      const plain = await makeAgent(storage, ada!.id, null);
      const group = await makeConversation(storage, ada!, [bob!, hooked, plain], 'Team');
      const direct = await makeConversation(storage, ada!, [hooked]);
      await storage.updateSettings({
        conversation_id: group,
        user_id: bob!.id,
        changes: { muted_until: new Date(Date.now() + 3600_000).toISOString() },
        now: new Date(),
      });
      const outcomes = await storage.appendMessages([
        newMessage(group, ada!, 'from a person'),
        newMessage(group, hooked, 'from the agent'),
        newMessage(direct, ada!, 'one to one'),
      ]);
      for (const outcome of outcomes) {
        const message = createdMessage(outcome);
        const expected = {
          push: await storage.pushAudience(message.conversation_id),
          webhookAgentIds: await storage.webhookRecipients(message.conversation_id, message.sender_id),
        };
        // A storage that does not read it with the send leaves it to the caller (SQLite on the caller's thread).
        if (outcome?.status === 'created' && outcome.audience) expect(outcome.audience).toEqual(expected);
      }
      const agentIds = outcomes.map((outcome) =>
        outcome?.status === 'created' ? outcome.audience?.webhookAgentIds : undefined,
      );
      if (agentIds.some((ids) => ids !== undefined)) expect(agentIds).toEqual([[hooked.id], [], [hooked.id]]);
    });

    it('webhooks: a queued delivery is claimed once when due, with its webhook and a counted attempt', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const agent = await makeAgent(storage, ada!.id, 'https://hooks.example.com/a');
      const now = new Date();
      const payload = '{"type":"message","b":1,"a":2}';
      await storage.enqueueWebhookDeliveries([{ id: 'msg_1', agent_id: agent.id, payload, now }]);
      await storage.enqueueWebhookDeliveries([{ id: 'msg_1', agent_id: agent.id, payload: 'other', now }]);
      expect(
        await storage.claimWebhookDeliveries({ now: seconds(now, -1), lease_until: now, limit: 10 }),
      ).toEqual([]);
      const claimed = await storage.claimWebhookDeliveries({ now, lease_until: seconds(now, 60), limit: 10 });
      expect(claimed).toEqual([
        {
          id: 'msg_1',
          agent_id: agent.id,
          payload,
          attempts: 1,
          next_attempt_at: seconds(now, 60).toISOString(),
          created_at: now.toISOString(),
          webhook: { url: 'https://hooks.example.com/a', secret_sealed: 'sealed-secret' },
        },
      ]);
      // Leased: not claimed again before the lease ends, then claimed again (its sender died).
      expect(
        await storage.claimWebhookDeliveries({ now: seconds(now, 59), lease_until: now, limit: 10 }),
      ).toEqual([]);
      const again = await storage.claimWebhookDeliveries({
        now: seconds(now, 60),
        lease_until: seconds(now, 120),
        limit: 10,
      });
      expect(again.map((d) => d.attempts)).toEqual([2]);
    });

    it('webhooks: a reschedule holds only for the attempt that was claimed; a delete removes it', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const agent = await makeAgent(storage, ada!.id, 'https://hooks.example.com/a');
      const now = new Date();
      await storage.enqueueWebhookDeliveries([{ id: 'msg_2', agent_id: agent.id, payload: '{}', now }]);
      await storage.claimWebhookDeliveries({ now, lease_until: seconds(now, 60), limit: 10 });
      expect(
        await storage.rescheduleWebhookDelivery({
          id: 'msg_2',
          attempts: 2,
          next_attempt_at: seconds(now, 5),
        }),
      ).toBe(false);
      expect(
        await storage.rescheduleWebhookDelivery({
          id: 'msg_2',
          attempts: 1,
          next_attempt_at: seconds(now, 5),
        }),
      ).toBe(true);
      const [queued] = await storage.webhookDeliveriesOf(agent.id);
      expect(queued).toMatchObject({
        id: 'msg_2',
        attempts: 1,
        next_attempt_at: seconds(now, 5).toISOString(),
      });
      await storage.deleteWebhookDelivery('msg_2');
      expect(await storage.webhookDeliveriesOf(agent.id)).toEqual([]);
    });

    it('webhooks: claims take at most the limit, oldest due first, and none twice across stores', async () => {
      const { storage, reopen } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const agent = await makeAgent(storage, ada!.id, 'https://hooks.example.com/a');
      const now = new Date();
      const ids = Array.from({ length: 6 }, (_, i) => `msg_${i}`);
      await storage.enqueueWebhookDeliveries(
        ids.map((id, i) => ({ id, agent_id: agent.id, payload: '{}', now: seconds(now, i) })),
      );
      const other = await reopen();
      const later = seconds(now, 10);
      const claims = await Promise.all([
        storage.claimWebhookDeliveries({ now: later, lease_until: seconds(later, 60), limit: 4 }),
        other.claimWebhookDeliveries({ now: later, lease_until: seconds(later, 60), limit: 4 }),
      ]);
      const claimedIds = claims.flat().map((d) => d.id);
      expect([...claimedIds].sort()).toEqual(ids);
      expect(claims.every((claim) => claim.length <= 4)).toBe(true);
      await other.close();
    });

    it('webhooks: turning a webhook off drops its queue; a deleted agent has no webhook to claim with', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const gone = await makeAgent(storage, ada!.id, 'https://hooks.example.com/a');
      const deleted = await makeAgent(storage, ada!.id, 'https://hooks.example.com/b');
      const now = new Date();
      await storage.enqueueWebhookDeliveries([
        { id: 'msg_a', agent_id: gone.id, payload: '{}', now },
        { id: 'msg_b', agent_id: deleted.id, payload: '{}', now },
      ]);
      await storage.turnOffWebhook(gone.id);
      expect(await storage.webhookDeliveriesOf(gone.id)).toEqual([]);
      expect((await storage.getAgent(gone.id))?.webhook_active).toBe(false);
      await storage.deleteAgent(deleted.id);
      const claimed = await storage.claimWebhookDeliveries({ now, lease_until: seconds(now, 60), limit: 10 });
      expect(claimed.map((d) => [d.id, d.webhook])).toEqual([['msg_b', null]]);
    });
  });
}
