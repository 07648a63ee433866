import type { Random } from '@chat/testkit';
import type { Broker, BrokerEvent } from '../../src/broker/broker';
import type { Clock } from '../../src/clock';

export interface LossOptions {
  /** Share of change events never delivered to a subscriber (0-1). */
  dropRate: number;
  /** Each delivery is delayed by 0..maxDelayMs of the clock, so deliveries overtake each other. */
  maxDelayMs: number;
  random: Random;
  clock: Clock;
}

export interface LossyBroker extends Broker {
  readonly dropped: number;
}

/**
 * A broker that loses, delays and reorders what another broker delivers, each
 * subscriber on its own draw, as a congested Redis or a process dying between
 * commit and publish would. Only `change` events are dropped (what gap filling
 * is for); every event may be delayed. Deterministic for a seed and a clock.
 */
export function createLossyBroker(inner: Broker, options: LossOptions): LossyBroker {
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    publish: (topic, event) => inner.publish(topic, event),
    subscribe(topic, listener) {
      return inner.subscribe(topic, (event: BrokerEvent) => {
        if (event.kind === 'change' && options.random.next() < options.dropRate) {
          dropped++;
          return;
        }
        const delay = Math.floor(options.random.next() * (options.maxDelayMs + 1));
        options.clock.setTimeout(() => listener(event), delay);
      });
    },
    close: () => inner.close(),
  };
}
