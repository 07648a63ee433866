import { describe, expect, it } from 'vitest';
import type { Broker, BrokerEvent } from '../../src/broker/broker';

const event = (seq: number): BrokerEvent => ({
  kind: 'change',
  seq,
  type: 'message',
  frame: JSON.stringify({ type: 'message', seq }),
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One suite for every broker: each implementation must pass it unchanged. */
export function describeBrokerContract(name: string, makeBrokers: () => Promise<[Broker, Broker]>) {
  describe(`broker contract: ${name}`, () => {
    it('broker: a subscriber receives what is published to its topic after subscribe resolves, in order', async () => {
      const [a, b] = await makeBrokers();
      const seen: BrokerEvent[] = [];
      await b.subscribe('conv:1', (received) => seen.push(received));
      for (let seq = 1; seq <= 50; seq++) await a.publish('conv:1', event(seq));
      await until(() => seen.length === 50);
      expect(seen.map((received) => (received.kind === 'change' ? received.seq : 0))).toEqual(
        Array.from({ length: 50 }, (_, index) => index + 1),
      );
      expect(seen[0]).toEqual(event(1));
      await Promise.all([a.close(), b.close()]);
    });

    it('broker: topics are separate, and every listener of a topic gets each event once', async () => {
      const [a, b] = await makeBrokers();
      const first: BrokerEvent[] = [];
      const second: BrokerEvent[] = [];
      const other: BrokerEvent[] = [];
      await b.subscribe('conv:1', (received) => first.push(received));
      await b.subscribe('conv:1', (received) => second.push(received));
      await b.subscribe('conv:2', (received) => other.push(received));
      await a.publish('conv:1', event(1));
      await until(() => first.length === 1 && second.length === 1);
      await a.publish('conv:2', event(2));
      await until(() => other.length === 1);
      expect(first).toHaveLength(1);
      expect(second).toHaveLength(1);
      await Promise.all([a.close(), b.close()]);
    });

    it('broker: after unsubscribe a listener receives nothing more; the others still do', async () => {
      const [a, b] = await makeBrokers();
      const kept: BrokerEvent[] = [];
      const dropped: BrokerEvent[] = [];
      await b.subscribe('user:1', (received) => kept.push(received));
      const unsubscribe = await b.subscribe('user:1', (received) => dropped.push(received));
      await unsubscribe();
      await a.publish('user:1', event(1));
      await until(() => kept.length === 1);
      await a.publish('user:1', event(2));
      await until(() => kept.length === 2);
      expect(dropped).toHaveLength(0);
      await Promise.all([a.close(), b.close()]);
    });
  });
}
