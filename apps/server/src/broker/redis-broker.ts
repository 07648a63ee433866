import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { Broker, BrokerEvent, Unsubscribe } from './broker';
import { closeRedis, openRedis, readyOrAfter } from './redis-connection';

export interface RedisBrokerOptions {
  url: string;
  /** Channel namespace, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  log: Logger;
}

/**
 * Fan-out across server processes through Redis pub/sub. One connection
 * publishes, one subscribes; each topic is subscribed once per process and
 * fanned out locally.
 *
 * This process's own listeners get each event straight from `publish`, not
 * through Redis: delivery between two sockets of one process does not depend on
 * Redis being up, and what comes back from Redis with this process's origin is
 * dropped. Redis pub/sub is at-most-once (and nothing is queued while it is
 * away), so receivers make up for what other processes published during an
 * outage by re-reading storage when `onResubscribed` fires.
 */
export async function createRedisBroker(options: RedisBrokerOptions): Promise<Broker> {
  const prefix = options.prefix ?? 'chat:';
  const { log } = options;
  /** Marks this process's publishes, so it can recognise them coming back. */
  const origin = randomUUID();
  const publisher = openRedis(options.url, 'publisher', log);
  const subscriber = openRedis(options.url, 'subscriber', log);
  const listeners = new Map<string, Set<(event: BrokerEvent) => void>>();
  const subscribing = new Map<string, Promise<void>>();
  const resubscribedListeners = new Set<() => void>();
  let resubscribing = false;
  let droppedWhileDown = 0;
  let closed = false;

  function deliver(channel: string, event: BrokerEvent): void {
    const topicListeners = listeners.get(channel);
    if (!topicListeners) return;
    for (const listener of [...topicListeners]) listener(event);
  }

  subscriber.on('message', (channel: string, payload: string) => {
    const split = payload.indexOf('\n');
    if (payload.slice(0, split) === origin) return;
    let event: BrokerEvent;
    try {
      event = JSON.parse(payload.slice(split + 1)) as BrokerEvent;
    } catch (error) {
      log.error({ err: error, channel }, 'unreadable broker message');
      return;
    }
    deliver(channel, event);
  });

  // Every (re)connection subscribes all topics again, then tells the receivers
  // to catch up from storage: what was published while this process could not
  // hear it is gone from Redis, and only subscribing before reading storage
  // guarantees nothing falls between the two.
  subscriber.on('ready', () => {
    if (closed) return;
    resubscribing = true;
    const channels = [...listeners.keys()];
    const subscribed = channels.length > 0 ? subscriber.subscribe(...channels) : Promise.resolve(0);
    subscribed.then(
      () => {
        resubscribing = false;
        if (droppedWhileDown > 0) {
          log.warn({ dropped: droppedWhileDown }, 'publishes dropped while redis was away; receivers resync');
        }
        droppedWhileDown = 0;
        for (const listener of [...resubscribedListeners]) listener();
      },
      (error: unknown) => {
        // The connection dropped again: its next `ready` tries again.
        log.warn({ err: error, channels: channels.length }, 'resubscribe failed');
      },
    );
  });

  await readyOrAfter([publisher, subscriber], 2000);

  async function subscribeChannel(channel: string): Promise<void> {
    // While Redis is away the listener is only recorded: the next `ready` subscribes it.
    if (subscriber.status !== 'ready') return;
    try {
      await subscriber.subscribe(channel);
    } catch (error) {
      log.warn({ err: error, channel }, 'subscribe failed; retried when redis is back');
    }
  }

  return {
    async publish(topic, event) {
      const channel = prefix + topic;
      deliver(channel, event);
      if (publisher.status !== 'ready') {
        if (droppedWhileDown++ === 0) log.warn({ topic }, 'redis away: publishing to this process only');
        return;
      }
      await publisher.publish(channel, `${origin}\n${JSON.stringify(event)}`);
    },
    async subscribe(topic, listener): Promise<Unsubscribe> {
      const channel = prefix + topic;
      let topicListeners = listeners.get(channel);
      if (!topicListeners) {
        listeners.set(channel, (topicListeners = new Set()));
        subscribing.set(channel, subscribeChannel(channel));
      }
      topicListeners.add(listener);
      await subscribing.get(channel);
      const own = topicListeners;
      return async () => {
        own.delete(listener);
        if (own.size > 0 || listeners.get(channel) !== own) return;
        listeners.delete(channel);
        subscribing.delete(channel);
        if (subscriber.status === 'ready') await subscriber.unsubscribe(channel);
      };
    },
    problem() {
      if (publisher.status !== 'ready' || subscriber.status !== 'ready') {
        return `redis unreachable (publisher ${publisher.status}, subscriber ${subscriber.status})`;
      }
      return resubscribing ? 'redis back, resubscribing' : null;
    },
    onResubscribed(listener) {
      resubscribedListeners.add(listener);
      return () => resubscribedListeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      resubscribedListeners.clear();
      const results = await Promise.allSettled([closeRedis(publisher), closeRedis(subscriber)]);
      for (const result of results) {
        if (result.status === 'rejected') log.warn({ err: result.reason }, 'redis close failed');
      }
    },
  };
}
