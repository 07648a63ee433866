import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryBroker } from '../../src/broker/memory-broker';
import { createLogger } from '../../src/logger';
import { Publisher } from '../../src/realtime/publisher';
import { UserChannels } from '../../src/realtime/user-channels';
import { RecordingRecipient } from '../support/recording-recipient';

/** An agent's connection: what it was sent, and whether its session was ended. */
class AgentRecipient extends RecordingRecipient {
  endedSessions: string[] = [];

  constructor(
    userId: string,
    readonly apiKeyHash: string | null,
  ) {
    super(userId);
  }

  endSession(reason: string): void {
    this.endedSessions.push(reason);
  }
}

describe('user channels: revoked credentials (section 14)', () => {
  const log = createLogger('silent');

  it('revoked: every connection of the user gets unauthorized and its session ended, but those on the kept key', async () => {
    const broker = createMemoryBroker();
    const channels = new UserChannels({ broker, log });
    const publisher = new Publisher({ broker, log });
    const agentId = randomUUID();
    const onOldKey = new AgentRecipient(agentId, 'old-hash');
    const onNewKey = new AgentRecipient(agentId, 'new-hash');
    const bystander = new AgentRecipient(randomUUID(), 'old-hash');
    await channels.add(onOldKey, agentId);
    await channels.add(onNewKey, agentId);
    await channels.add(bystander, bystander.userId!);

    await publisher.credentialsRevoked(agentId, 'api key replaced', 'new-hash');
    expect(onOldKey.frames).toEqual([{ type: 'error', code: 'unauthorized', message: 'api key replaced' }]);
    expect(onOldKey.endedSessions).toHaveLength(1);
    expect(onNewKey.frames).toEqual([]);
    expect(onNewKey.endedSessions).toEqual([]);
    expect(bystander.frames).toEqual([]);

    // Deleted: no key is kept.
    await publisher.credentialsRevoked(agentId, 'agent deleted', null);
    expect(onNewKey.frames).toEqual([{ type: 'error', code: 'unauthorized', message: 'agent deleted' }]);
    expect(onNewKey.endedSessions).toHaveLength(1);
    await broker.close();
  });
});
