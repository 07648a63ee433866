import { describe, expect, it } from 'vitest';
import { compareListOrder, type ListOrderKey } from '../../src/storage/list-order';

const at = (second: number) => `2026-12-03T10:00:${String(second).padStart(2, '0')}.000Z`;
const key = (id: string, fields: Partial<ListOrderKey>): ListOrderKey => ({
  id,
  pinnedAt: null,
  lastMessageAt: null,
  createdAt: at(0),
  ...fields,
});
const order = (keys: ListOrderKey[]) => [...keys].sort(compareListOrder).map((k) => k.id);

describe('compareListOrder', () => {
  it('puts pinned first, the most recently pinned first, whatever their activity', () => {
    expect(
      order([
        key('busy', { lastMessageAt: at(50) }),
        key('pinned early', { pinnedAt: at(1) }),
        key('pinned late', { pinnedAt: at(2), createdAt: at(0) }),
      ]),
    ).toEqual(['pinned late', 'pinned early', 'busy']);
  });

  it('then newest first by the last message, or the creation time without messages', () => {
    expect(
      order([
        key('old message', { lastMessageAt: at(10), createdAt: at(1) }),
        key('new, empty', { createdAt: at(20) }),
        key('new message', { lastMessageAt: at(30), createdAt: at(2) }),
      ]),
    ).toEqual(['new message', 'new, empty', 'old message']);
  });

  it('breaks ties by the newer conversation, then by id in code-unit order', () => {
    expect(
      order([
        key('b', { lastMessageAt: at(5), createdAt: at(1) }),
        key('older', { lastMessageAt: at(5), createdAt: at(0) }),
        key('a', { lastMessageAt: at(5), createdAt: at(1) }),
        key('B', { lastMessageAt: at(5), createdAt: at(1) }),
      ]),
    ).toEqual(['B', 'a', 'b', 'older']);
  });
});
