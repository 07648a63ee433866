import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Broker, BrokerEvent, Unsubscribe } from './broker';

export interface RedisBrokerOptions {
  url: string;
  /** Channel namespace, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  log: Logger;
}

/**
 * Fan-out across server processes through Redis pub/sub. One connection
 * publishes, one subscribes; each topic is subscribed once per process and
 * fanned out locally. Redis pub/sub is at-most-once: a change it drops is
 * recovered by the rooms' gap filling from storage.
 */
export async function createRedisBroker(options: RedisBrokerOptions): Promise<Broker> {
  const prefix = options.prefix ?? 'chat:';
  const connect = () =>
    new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const publisher = connect();
  const subscriber = connect();
  for (const [name, client] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    client.on('error', (error: unknown) => options.log.warn({ err: error, client: name }, 'redis error'));
  }
  await Promise.all([publisher.connect(), subscriber.connect()]);

  const listeners = new Map<string, Set<(event: BrokerEvent) => void>>();
  const subscribing = new Map<string, Promise<unknown>>();

  subscriber.on('message', (channel: string, payload: string) => {
    const topicListeners = listeners.get(channel);
    if (!topicListeners) return;
    let event: BrokerEvent;
    try {
      event = JSON.parse(payload) as BrokerEvent;
    } catch (error) {
      options.log.error({ err: error, channel }, 'unreadable broker message');
      return;
    }
    for (const listener of [...topicListeners]) listener(event);
  });

  return {
    async publish(topic, event) {
      await publisher.publish(prefix + topic, JSON.stringify(event));
    },
    async subscribe(topic, listener): Promise<Unsubscribe> {
      const channel = prefix + topic;
      let topicListeners = listeners.get(channel);
      if (!topicListeners) {
        listeners.set(channel, (topicListeners = new Set()));
        subscribing.set(channel, subscriber.subscribe(channel));
      }
      topicListeners.add(listener);
      await subscribing.get(channel);
      const own = topicListeners;
      return async () => {
        own.delete(listener);
        if (own.size > 0 || listeners.get(channel) !== own) return;
        listeners.delete(channel);
        subscribing.delete(channel);
        await subscriber.unsubscribe(channel);
      };
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
