import { ManualClock } from '@chat/testkit';
import { describe, expect, it } from 'vitest';
import { TypingTracker } from '../../src/realtime/typing-tracker';

const TIMEOUT_MS = 6000;

function setUp(repeatMs?: number) {
  const clock = new ManualClock();
  const announced: string[] = [];
  const tracker = new TypingTracker({
    timeoutMs: TIMEOUT_MS,
    ...(repeatMs === undefined ? {} : { repeatMs }),
    clock,
    announce: (conversationId, userId, isTyping) => announced.push(`${conversationId}:${userId}:${isTyping}`),
  });
  return { clock, tracker, announced };
}

describe('TypingTracker', () => {
  it('with repeatMs, repeats a true while it lasts (for other processes) and stops repeating when it ends', () => {
    const { clock, tracker, announced } = setUp(2000);
    tracker.set('c', 'ann', 'conn-1', true);
    clock.advance(2000);
    tracker.set('c', 'ann', 'conn-1', true);
    clock.advance(2000);
    expect(announced).toEqual(['c:ann:true', 'c:ann:true', 'c:ann:true']);
    tracker.end('c', 'ann');
    clock.advance(60_000);
    expect(announced).toEqual(['c:ann:true', 'c:ann:true', 'c:ann:true', 'c:ann:false']);
    expect(clock.pending).toBe(0);
  });

  it('announces a start once; a refresh only pushes the expiry back', () => {
    const { clock, tracker, announced } = setUp();
    tracker.set('c', 'ann', 'conn-1', true);
    clock.advance(TIMEOUT_MS - 1);
    tracker.set('c', 'ann', 'conn-1', true);
    clock.advance(TIMEOUT_MS - 1);
    expect(announced).toEqual(['c:ann:true']);
    expect(tracker.typistsIn('c')).toEqual(['ann']);
  });

  it('ends typing by itself after the timeout without a refresh, and announces it', () => {
    const { clock, tracker, announced } = setUp();
    tracker.set('c', 'ann', 'conn-1', true);
    clock.advance(TIMEOUT_MS);
    expect(announced).toEqual(['c:ann:true', 'c:ann:false']);
    expect(tracker.typistsIn('c')).toEqual([]);
  });

  it('an explicit stop ends it at once; a stop of someone not typing announces nothing', () => {
    const { tracker, announced } = setUp();
    tracker.set('c', 'bob', 'conn-2', false);
    tracker.set('c', 'ann', 'conn-1', true);
    tracker.set('c', 'ann', 'conn-1', false);
    expect(announced).toEqual(['c:ann:true', 'c:ann:false']);
  });

  it('a leave of another connection of the same user does not end it; its own does', () => {
    const { tracker, announced } = setUp();
    tracker.set('c', 'ann', 'conn-1', true);
    tracker.end('c', 'ann', 'conn-2');
    expect(tracker.typistsIn('c')).toEqual(['ann']);
    tracker.end('c', 'ann', 'conn-1');
    expect(announced).toEqual(['c:ann:true', 'c:ann:false']);
  });

  it('a closed connection stops typing in every conversation it typed in', () => {
    const { clock, tracker, announced } = setUp();
    tracker.set('c1', 'ann', 'conn-1', true);
    tracker.set('c2', 'ann', 'conn-1', true);
    tracker.set('c2', 'bob', 'conn-2', true);
    tracker.endConnection('conn-1');
    expect(announced.filter((line) => line.endsWith('false'))).toEqual(['c1:ann:false', 'c2:ann:false']);
    expect(tracker.typistsIn('c2')).toEqual(['bob']);
    clock.advance(TIMEOUT_MS);
    expect(announced.at(-1)).toBe('c2:bob:false');
    expect(clock.pending).toBe(0);
  });

  it('clear forgets everyone without announcing and leaves no timer', () => {
    const { clock, tracker, announced } = setUp();
    tracker.set('c', 'ann', 'conn-1', true);
    tracker.clear();
    clock.advance(TIMEOUT_MS);
    expect(announced).toEqual(['c:ann:true']);
    expect(clock.pending).toBe(0);
  });
});
