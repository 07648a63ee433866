import { describe, expect, test } from 'vitest';
import { ManualClock } from '@chat/testkit';
import { Coalescer } from '../src/coalescer';

describe('Coalescer (at most one stream_message per 100 ms, always the latest text)', () => {
  test('the first text goes at once; later ones wait out the interval and only the latest goes', () => {
    const clock = new ManualClock();
    const sent: string[] = [];
    const coalescer = new Coalescer(clock, 100, (text) => sent.push(text));
    coalescer.push('a');
    expect(sent).toEqual(['a']);
    clock.advance(30);
    coalescer.push('ab');
    clock.advance(30);
    coalescer.push('abc');
    expect(sent).toEqual(['a']);
    clock.advance(39);
    expect(sent).toEqual(['a']);
    clock.advance(1);
    expect(sent).toEqual(['a', 'abc']);
    clock.advance(500);
    expect(sent).toEqual(['a', 'abc']); // nothing new: nothing sent
    coalescer.push('abcd');
    expect(sent).toEqual(['a', 'abc', 'abcd']); // the interval long passed: at once
  });

  test('2,000 chunks at 50 a second make at most 10 sends a second', () => {
    const clock = new ManualClock();
    const sendTimes: number[] = [];
    const start = clock.now();
    const coalescer = new Coalescer(clock, 100, () => sendTimes.push(clock.now() - start));
    let text = '';
    for (let token = 0; token < 2_000; token++) {
      text += ` t${token}`;
      coalescer.push(text);
      clock.advance(20);
    }
    const seconds = 2_000 / 50;
    expect(sendTimes.length).toBeLessThanOrEqual(seconds * 10 + 1);
    for (let index = 1; index < sendTimes.length; index++) {
      expect(sendTimes[index]! - sendTimes[index - 1]!).toBeGreaterThanOrEqual(100);
    }
  });

  test('flush sends what waits; cancel drops it', () => {
    const clock = new ManualClock();
    const sent: string[] = [];
    const coalescer = new Coalescer(clock, 100, (text) => sent.push(text));
    coalescer.push('a');
    coalescer.push('ab');
    coalescer.flush();
    expect(sent).toEqual(['a', 'ab']);
    coalescer.push('abc');
    coalescer.cancel();
    clock.advance(1_000);
    expect(sent).toEqual(['a', 'ab']);
  });
});
