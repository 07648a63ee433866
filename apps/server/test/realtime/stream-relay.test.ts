import { ManualClock } from '@chat/testkit';
import { describe, expect, it } from 'vitest';
import { StreamRelay } from '../../src/realtime/stream-relay';

/** A relay on a manual clock that records what it relayed and when. */
function setUp(intervalMs = 100) {
  const clock = new ManualClock(0);
  const relayed: Array<[number, string]> = [];
  const relay = new StreamRelay({ intervalMs, clock, relay: (body) => relayed.push([clock.now(), body]) });
  return { clock, relayed, relay };
}

describe('StreamRelay', () => {
  it('relays the first text at once', () => {
    const { relayed, relay } = setUp();
    relay.push('a');
    expect(relayed).toEqual([[0, 'a']]);
  });

  it('within the window, only the latest text goes out, when the window ends (the trailing relay)', () => {
    const { clock, relayed, relay } = setUp();
    relay.push('a');
    clock.advance(10);
    relay.push('ab');
    clock.advance(10);
    relay.push('abc');
    clock.advance(79);
    expect(relayed).toEqual([[0, 'a']]);
    clock.advance(1);
    expect(relayed).toEqual([
      [0, 'a'],
      [100, 'abc'],
    ]);
  });

  it('at most one relay per window however fast the texts come (50 a second -> 10 a second)', () => {
    const { clock, relayed, relay } = setUp();
    let body = '';
    for (let token = 0; token < 500; token++) {
      body += 'x';
      relay.push(body);
      clock.advance(20);
    }
    clock.advance(100);
    expect(relayed).toHaveLength(101);
    for (let i = 1; i < relayed.length; i++) {
      expect(relayed[i]![0] - relayed[i - 1]![0]).toBeGreaterThanOrEqual(100);
    }
    expect(relayed.at(-1)?.[1]).toBe(body);
  });

  it('a text after a quiet window goes out at once', () => {
    const { clock, relayed, relay } = setUp();
    relay.push('a');
    clock.advance(250);
    relay.push('ab');
    expect(relayed).toEqual([
      [0, 'a'],
      [250, 'ab'],
    ]);
  });

  it('cancel drops a waiting relay', () => {
    const { clock, relayed, relay } = setUp();
    relay.push('a');
    relay.push('ab');
    relay.cancel();
    clock.advance(1000);
    expect(relayed).toEqual([[0, 'a']]);
    expect(clock.pending).toBe(0);
  });
});
