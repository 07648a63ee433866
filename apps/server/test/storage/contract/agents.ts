import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Agent as AgentSchema } from '@chat/protocol';
import type { NewAgent, Storage } from '../../../src/storage/storage';
import { makeConversation, makeUsers, useFixture, type MakeStorage } from './fixture';

function newAgent(ownerId: string, extra: Partial<NewAgent> = {}): NewAgent {
  return {
    id: randomUUID(),
    owner_id: ownerId,
    display_name: 'Helper Bot',
    description: null,
    public: false,
    api_key_hash: randomUUID().replaceAll('-', ''),
    webhook_secret_sealed: 'sealed',
    now: new Date(),
    ...extra,
  };
}

async function makeAgent(storage: Storage, ownerId: string, extra: Partial<NewAgent> = {}) {
  return storage.createAgent(newAgent(ownerId, extra));
}

/** Section 14: agents are users with an owner, a key hash, visibility and a webhook. */
export function agentsContract(makeStorage: MakeStorage): void {
  describe('agents', () => {
    const fixture = useFixture(makeStorage);

    it('agents: an agent is a user with is_agent and no e-mail, owned by its creator', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const input = newAgent(ada!.id, { description: 'answers questions', public: true });
      const agent = await storage.createAgent(input);
      expect(AgentSchema.strict().parse(agent)).toEqual(agent);
      expect(agent).toMatchObject({
        id: input.id,
        email: null,
        display_name: 'Helper Bot',
        is_agent: true,
        owner_id: ada!.id,
        description: 'answers questions',
        public: true,
        webhook_url: null,
        webhook_active: true,
        created_at: input.now.toISOString(),
      });
      expect(await storage.getUser(agent.id)).toEqual({
        id: agent.id,
        email: null,
        display_name: 'Helper Bot',
        is_agent: true,
      });
      expect(await storage.getAgent(agent.id)).toEqual(agent);
      expect(await storage.getAgent(ada!.id)).toBeNull();
    });

    it('agents: listed per owner, oldest first', async () => {
      const { storage } = fixture();
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const first = await makeAgent(storage, ada!.id, { now: new Date('2026-01-01T00:00:00Z') });
      const second = await makeAgent(storage, ada!.id, { now: new Date('2026-01-02T00:00:00Z') });
      await makeAgent(storage, bob!.id);
      expect((await storage.listAgents(ada!.id)).map((a) => a.id)).toEqual([first.id, second.id]);
      expect(await storage.listAgents(randomUUID())).toEqual([]);
    });

    it('agents: the key is found by its hash, and a replaced key is not', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const agent = await makeAgent(storage, ada!.id, { api_key_hash: 'hash-1' });
      expect(await storage.agentUserByKeyHash('hash-1')).toEqual({
        id: agent.id,
        email: null,
        display_name: agent.display_name,
        is_agent: true,
      });
      expect(await storage.replaceAgentKey(agent.id, 'hash-2')).toBe(true);
      expect(await storage.agentUserByKeyHash('hash-1')).toBeNull();
      expect((await storage.agentUserByKeyHash('hash-2'))?.id).toBe(agent.id);
      expect(await storage.replaceAgentKey(randomUUID(), 'hash-3')).toBe(false);
    });

    it('agents: two agents cannot share a key hash', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      await makeAgent(storage, ada!.id, { api_key_hash: 'same' });
      await expect(makeAgent(storage, ada!.id, { api_key_hash: 'same' })).rejects.toThrow();
      expect(await storage.listAgents(ada!.id)).toHaveLength(1);
    });

    it('agents: an update changes only what is given; a webhook URL turns the webhook on', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const agent = await makeAgent(storage, ada!.id, { description: 'old' });
      const now = new Date();
      const renamed = await storage.updateAgent(agent.id, { display_name: 'Sage' }, now);
      expect(renamed).toEqual({ ...agent, display_name: 'Sage' });
      expect((await storage.getUser(agent.id))?.display_name).toBe('Sage');
      const changed = await storage.updateAgent(
        agent.id,
        { description: null, public: true, webhook_url: 'https://hooks.example.com/a' },
        now,
      );
      expect(changed).toEqual({
        ...renamed,
        description: null,
        public: true,
        webhook_url: 'https://hooks.example.com/a',
        webhook_active: true,
      });
      expect(await storage.updateAgent(agent.id, { webhook_url: null }, now)).toEqual({
        ...changed,
        webhook_url: null,
      });
      expect(await storage.updateAgent(randomUUID(), { public: true }, now)).toBeNull();
    });

    it('agents: search shows an agent to its owner, to everyone when public, never when deleted', async () => {
      const { storage } = fixture();
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const hidden = await makeAgent(storage, ada!.id, { display_name: 'Robo Private' });
      const open = await makeAgent(storage, ada!.id, { display_name: 'Robo Public', public: true });
      const ids = async (viewerId: string) =>
        (await storage.searchUsers('robo', viewerId, 20)).map((user) => user.id);
      expect(await ids(ada!.id)).toEqual([hidden.id, open.id]);
      expect(await ids(bob!.id)).toEqual([open.id]);
      expect((await storage.searchUsers('robo', bob!.id, 20))[0]).toEqual({
        id: open.id,
        email: null,
        display_name: 'Robo Public',
        is_agent: true,
      });
      expect(await storage.deleteAgent(open.id)).toBe(true);
      expect(await ids(bob!.id)).toEqual([]);
      expect(await ids(ada!.id)).toEqual([hidden.id]);
    });

    it('agents: deleting stops the key and keeps the user for its messages and memberships', async () => {
      const { storage } = fixture();
      const [ada] = await makeUsers(storage, 'ada');
      const agent = await makeAgent(storage, ada!.id, { api_key_hash: 'gone' });
      const conversationId = await makeConversation(storage, ada!, [
        { id: agent.id, email: null, display_name: agent.display_name, is_agent: true },
      ]);
      expect(await storage.deleteAgent(agent.id)).toBe(true);
      expect(await storage.deleteAgent(agent.id)).toBe(false);
      expect(await storage.getAgent(agent.id)).toBeNull();
      expect(await storage.agentUserByKeyHash('gone')).toBeNull();
      expect(await storage.listAgents(ada!.id)).toEqual([]);
      expect((await storage.getUser(agent.id))?.is_agent).toBe(true);
      expect(await storage.memberIds(conversationId)).toContain(agent.id);
    });
  });
}
