import { describe, expect, it } from 'vitest';
import { buildTimeline, hasTail } from '../src/lib/timeline';
import type { TimelineItem } from '../src/lib/timeline';
import { BOB, CAROL, ME, msg, pending } from './fixtures';

/** A compact picture of the timeline: `day`, `time`, `unsent`, or `sender:position[:name]`. */
function shape(items: TimelineItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'bubble') {
      const who = item.mine ? 'me' : item.senderId === BOB ? 'bob' : 'carol';
      return `${who}:${item.position}${item.showSender ? ':name' : ''}${item.entry.kind === 'pending' ? ':pending' : ''}`;
    }
    return item.kind;
  });
}

describe('buildTimeline', () => {
  it('starts with a day separator and groups consecutive bubbles of one sender', () => {
    const items = buildTimeline({
      messages: [
        msg(1, BOB, 'a', 0),
        msg(2, BOB, 'b', 1),
        msg(3, BOB, 'c', 2),
        msg(4, ME, 'd', 3),
        msg(5, BOB, 'e', 4),
      ],
      pending: [],
      myUserId: ME,
      isGroup: false,
    });
    expect(shape(items)).toEqual(['day', 'bob:first', 'bob:middle', 'bob:last', 'me:single', 'bob:single']);
  });

  it('puts the tail on the last bubble of a run only', () => {
    expect(hasTail('single')).toBe(true);
    expect(hasTail('last')).toBe(true);
    expect(hasTail('first')).toBe(false);
    expect(hasTail('middle')).toBe(false);
  });

  it('adds a day separator at each new day and a time separator after a long pause', () => {
    const items = buildTimeline({
      messages: [
        msg(1, BOB, 'a', 0),
        msg(2, BOB, 'b', 20), // 20 min later: time separator, new run
        msg(3, BOB, 'c', new Date(2025, 5, 19, 8, 0)), // next day
      ],
      pending: [],
      myUserId: ME,
      isGroup: false,
    });
    expect(shape(items)).toEqual(['day', 'bob:single', 'time', 'bob:single', 'day', 'bob:single']);
  });

  it('names senders in groups on the first bubble of their runs, never mine', () => {
    const items = buildTimeline({
      messages: [msg(1, BOB, 'a', 0), msg(2, BOB, 'b', 1), msg(3, CAROL, 'c', 2), msg(4, ME, 'd', 3)],
      pending: [],
      myUserId: ME,
      isGroup: true,
    });
    expect(shape(items)).toEqual(['day', 'bob:first:name', 'bob:last', 'carol:single:name', 'me:single']);
  });

  it('shows an unsent message as a notice that breaks the run', () => {
    const items = buildTimeline({
      messages: [
        msg(1, BOB, 'a', 0),
        msg(2, BOB, '', 1, { deleted_at: new Date().toISOString() }),
        msg(3, BOB, 'c', 2),
      ],
      pending: [],
      myUserId: ME,
      isGroup: false,
    });
    expect(shape(items)).toEqual(['day', 'bob:single', 'unsent', 'bob:single']);
    const notice = items[2];
    expect(notice?.kind === 'unsent' && notice.mine).toBe(false);
  });

  it('starts a new run at a reply, so its quote sits above it', () => {
    const items = buildTimeline({
      messages: [msg(1, BOB, 'a', 0), msg(2, BOB, 'b', 1, { reply_to: 'x' })],
      pending: [],
      myUserId: ME,
      isGroup: false,
    });
    expect(shape(items)).toEqual(['day', 'bob:single', 'bob:single']);
  });

  it('appends pending sends after stored messages and joins them to my run', () => {
    const items = buildTimeline({
      messages: [msg(1, ME, 'a', 0)],
      pending: [pending(1, 'b', 1), pending(2, 'c', 2, 'failed')],
      myUserId: ME,
      isGroup: false,
    });
    expect(shape(items)).toEqual(['day', 'me:first', 'me:middle:pending', 'me:last:pending']);
  });

  it('drops a pending send whose ack already stored it', () => {
    const stored = msg(1, ME, 'a', 0);
    const items = buildTimeline({
      messages: [stored],
      pending: [{ ...pending(1, 'a', 0), client_id: stored.client_id! }],
      myUserId: ME,
      isGroup: false,
    });
    expect(shape(items)).toEqual(['day', 'me:single']);
  });

  it('is empty without messages', () => {
    expect(buildTimeline({ messages: [], pending: [], myUserId: ME, isGroup: false })).toEqual([]);
  });
});
