import { describe, expect, it } from 'vitest';
import type { Message } from '@chat/protocol';
import { computeReceipt } from '../src/lib/receipts';
import { systemText } from '../src/lib/system-text';
import { BOB, CAROL, ME, msg } from './fixtures';

const members = (bobRead: number, carolRead = 0) => [
  { user_id: ME, display_name: 'Ada Lovelace', read_seq: 99 },
  { user_id: BOB, display_name: 'Bob Marley', read_seq: bobRead },
  { user_id: CAROL, display_name: 'Carol Danvers', read_seq: carolRead },
];

describe('computeReceipt', () => {
  const messages = [msg(1, ME, 'a', 0), msg(2, BOB, 'b', 1), msg(3, ME, 'c', 2), msg(4, BOB, 'd', 3)];

  it('says Delivered under my last message until someone read it', () => {
    expect(computeReceipt(messages, members(2), ME)).toEqual({
      messageId: messages[2]?.id,
      label: 'Delivered',
      read: false,
    });
  });

  it('says Read in a 1:1 once the other read_seq reaches its seq', () => {
    expect(computeReceipt(messages, members(3).slice(0, 2), ME)).toMatchObject({ label: 'Read', read: true });
  });

  it('in a group names the one reader, then counts readers of the others', () => {
    expect(computeReceipt(messages, members(3), ME, true)?.label).toBe('Read by Bob');
    expect(computeReceipt(messages, members(0, 4), ME, true)?.label).toBe('Read by Carol');
    expect(computeReceipt(messages, members(3, 3), ME, true)).toMatchObject({ label: 'Read by 2 of 2' });
    const four = [...members(3, 3), { user_id: 'x', display_name: 'Xi', read_seq: 0 }];
    expect(computeReceipt(messages, four, ME, true)).toMatchObject({ label: 'Read by 2 of 3', read: false });
  });

  it('does not count my own read_seq', () => {
    const me = [{ user_id: ME, display_name: 'Ada', read_seq: 5 }];
    expect(computeReceipt([msg(1, ME, 'a', 0)], me, ME)?.label).toBe('Delivered');
  });

  it('skips my unsent and system messages', () => {
    const list = [
      msg(1, ME, 'a', 0),
      msg(2, ME, '', 1, { deleted_at: new Date().toISOString() }),
      msg(3, ME, '', 2, { kind: 'system', client_id: null, event: { type: 'renamed', title: 'Trip' } }),
    ];
    expect(computeReceipt(list, members(0), ME)?.messageId).toBe(list[0]?.id);
  });

  it('is null when I sent nothing', () => {
    expect(computeReceipt([msg(1, BOB, 'a', 0)], members(1), ME)).toBeNull();
  });
});

describe('systemText', () => {
  const names: Record<string, string> = { [ME]: 'You', [BOB]: 'Bob', [CAROL]: 'Carol' };
  const nameOf = (id: string) => names[id] ?? 'Someone';
  const line = (sender: string, event: Message['event']) =>
    systemText(msg(1, sender, '', 0, { kind: 'system', client_id: null, event }), nameOf);

  it('words every event as Messages does', () => {
    expect(line(BOB, { type: 'renamed', title: 'Trip' })).toBe('Bob named the conversation “Trip”');
    expect(line(ME, { type: 'members_added', user_ids: [BOB, CAROL] })).toBe('You added Bob and Carol');
    expect(line(BOB, { type: 'member_removed', user_id: CAROL })).toBe('Bob removed Carol');
    expect(line(CAROL, { type: 'member_left', user_id: CAROL })).toBe('Carol left');
    expect(line(BOB, { type: 'role_changed', user_id: CAROL, role: 'admin' })).toBe(
      'Bob made Carol an admin',
    );
  });
});
