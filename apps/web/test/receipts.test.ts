import { describe, expect, it } from 'vitest';
import { computeReceipt } from '../src/lib/receipts';
import { BOB, CAROL, ME, msg } from './fixtures';

const members = (bobRead: number, carolRead = 0) => [
  { user_id: ME, read_seq: 99 },
  { user_id: BOB, read_seq: bobRead },
  { user_id: CAROL, read_seq: carolRead },
];

describe('computeReceipt', () => {
  const messages = [msg(1, ME, 'a', 0), msg(2, BOB, 'b', 1), msg(3, ME, 'c', 2), msg(4, BOB, 'd', 3)];

  it('says Delivered under my last message until someone read it', () => {
    expect(computeReceipt(messages, members(2), ME)).toEqual({
      messageId: messages[2]?.id,
      label: 'Delivered',
    });
  });

  it('says Read once another member read_seq reaches its seq', () => {
    expect(computeReceipt(messages, members(3), ME)?.label).toBe('Read');
    expect(computeReceipt(messages, members(0, 4), ME)?.label).toBe('Read');
  });

  it('does not count my own read_seq', () => {
    expect(computeReceipt([msg(1, ME, 'a', 0)], [{ user_id: ME, read_seq: 5 }], ME)?.label).toBe('Delivered');
  });

  it('skips my unsent messages', () => {
    const list = [msg(1, ME, 'a', 0), msg(2, ME, '', 1, { deleted_at: new Date().toISOString() })];
    expect(computeReceipt(list, members(0), ME)?.messageId).toBe(list[0]?.id);
  });

  it('is null when I sent nothing', () => {
    expect(computeReceipt([msg(1, BOB, 'a', 0)], members(1), ME)).toBeNull();
  });
});
