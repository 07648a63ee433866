import type { Broker, BrokerEvent, Unsubscribe } from './broker';

/** One process: topics are local listener sets; delivery is synchronous and in publish order. */
export function createMemoryBroker(): Broker {
  const topics = new Map<string, Set<(event: BrokerEvent) => void>>();
  return {
    async publish(topic, event) {
      const listeners = topics.get(topic);
      if (!listeners) return;
      for (const listener of [...listeners]) listener(event);
    },
    async subscribe(topic, listener): Promise<Unsubscribe> {
      let listeners = topics.get(topic);
      if (!listeners) topics.set(topic, (listeners = new Set()));
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        if (listeners.size === 0 && topics.get(topic) === listeners) topics.delete(topic);
      };
    },
    async close() {
      topics.clear();
    },
  };
}
