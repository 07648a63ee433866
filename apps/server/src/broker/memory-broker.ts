import type { Broker, BrokerEvent, Unsubscribe } from './broker';

type Listener = (event: BrokerEvent) => void;

/**
 * One process: topics are local listeners; delivery is synchronous and in
 * publish order. A topic with one listener (most: every user's topic) holds it
 * alone; a Set each cost every idle connection ~150 bytes (issue 13).
 */
export function createMemoryBroker(): Broker {
  const topics = new Map<string, Listener | Set<Listener>>();
  return {
    async publish(topic, event) {
      const held = topics.get(topic);
      if (held === undefined) return;
      if (typeof held === 'function') held(event);
      else for (const listener of [...held]) listener(event);
    },
    async subscribe(topic, listener): Promise<Unsubscribe> {
      const held = topics.get(topic);
      if (held === undefined) topics.set(topic, listener);
      else if (typeof held === 'function') topics.set(topic, new Set([held, listener]));
      else held.add(listener);
      return async () => {
        const now = topics.get(topic);
        if (now === listener) topics.delete(topic);
        else if (now instanceof Set && now.delete(listener) && now.size === 0) topics.delete(topic);
      };
    },
    async close() {
      topics.clear();
    },
  };
}
