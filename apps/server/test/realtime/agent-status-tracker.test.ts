import { ManualClock } from '@chat/testkit';
import { describe, expect, it } from 'vitest';
import { AgentStatusTracker } from '../../src/realtime/agent-status-tracker';

function setUp(ttlMs = 60_000) {
  const clock = new ManualClock(0);
  const announced: Array<[number, string, string, string, string | null]> = [];
  const tracker = new AgentStatusTracker({
    ttlMs,
    clock,
    announce: (conversationId, userId, status, detail) =>
      announced.push([clock.now(), conversationId, userId, status, detail]),
  });
  return { clock, announced, tracker };
}

describe('AgentStatusTracker', () => {
  it('announces every status, a refresh too, and idle once when set idle', () => {
    const { announced, tracker } = setUp();
    tracker.set('c', 'u', 'conn', 'thinking', null);
    tracker.set('c', 'u', 'conn', 'thinking', null);
    tracker.set('c', 'u', 'conn', 'working', 'Reading');
    tracker.set('c', 'u', 'conn', 'idle', null);
    tracker.set('c', 'u', 'conn', 'idle', null);
    expect(announced.map(([, , , status, detail]) => [status, detail])).toEqual([
      ['thinking', null],
      ['thinking', null],
      ['working', 'Reading'],
      ['idle', null],
    ]);
  });

  it('returns to idle after the ttl without a refresh; a refresh pushes it back', () => {
    const { clock, announced, tracker } = setUp();
    tracker.set('c', 'u', 'conn', 'thinking', null);
    clock.advance(30_000);
    tracker.set('c', 'u', 'conn', 'thinking', null);
    clock.advance(59_999);
    expect(announced.filter(([, , , status]) => status === 'idle')).toEqual([]);
    clock.advance(1);
    expect(announced.at(-1)).toEqual([90_000, 'c', 'u', 'idle', null]);
    expect(tracker.statusesIn('c')).toEqual([]);
  });

  it('end (a send or a stream) returns to idle; nothing when already idle', () => {
    const { announced, tracker } = setUp();
    tracker.end('c', 'u');
    tracker.set('c', 'u', 'conn', 'working', null);
    tracker.end('c', 'u');
    expect(announced.map(([, , , status]) => status)).toEqual(['working', 'idle']);
  });

  it('a closed connection ends the statuses it set, in every conversation, not those of others', () => {
    const { announced, tracker } = setUp();
    tracker.set('c1', 'u', 'conn', 'working', null);
    tracker.set('c2', 'u', 'conn', 'thinking', null);
    tracker.set('c3', 'v', 'other', 'thinking', null);
    tracker.endConnection('conn');
    expect(announced.filter(([, , , status]) => status === 'idle').map(([, c, u]) => [c, u])).toEqual([
      ['c1', 'u'],
      ['c2', 'u'],
    ]);
    expect(tracker.statusesIn('c3')).toEqual([{ userId: 'v', status: 'thinking', detail: null }]);
  });

  it('clear forgets without announcing and leaves no timer', () => {
    const { clock, announced, tracker } = setUp();
    tracker.set('c', 'u', 'conn', 'working', null);
    tracker.clear();
    expect(announced).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });
});
