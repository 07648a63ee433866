import type { ConversationMember } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { RecentJoinParts } from '../../src/storage/join-parts';

const member = (user_id: string, read_seq: number): ConversationMember =>
  ({ user_id, display_name: user_id, read_seq }) as ConversationMember;
const page = { messages: [], has_more: false };

describe('recent join parts', () => {
  it('gives back each part only while its number has not moved', () => {
    const parts = new RecentJoinParts(() => 0);
    const members = [member('a', 1)];
    parts.keep('c1', { membersVersion: 3, members, lastSeq: 7, page });
    expect(parts.members('c1', 3)).toBe(members);
    expect(parts.page('c1', 7)).toBe(page);
    expect(parts.members('c1', 4)).toBeNull(); // a read receipt, a rename, a member added...
    expect(parts.page('c1', 8)).toBeNull(); // a message sent, edited, reacted to...
    expect(parts.members('c2', 3)).toBeNull();
  });

  it('keeps a page only once one was read: a resume keeps the members alone', () => {
    const parts = new RecentJoinParts(() => 0);
    parts.keep('c1', { membersVersion: 1, members: [], lastSeq: 2, page: null });
    expect(parts.page('c1', 2)).toBeNull();
    expect(parts.members('c1', 1)).toEqual([]);
  });

  it('forgets parts after a few seconds, and past 256 conversations the least recently joined', () => {
    let now = 0;
    const parts = new RecentJoinParts(() => now);
    parts.keep('old', { membersVersion: 1, members: [], lastSeq: 1, page });
    now = 6000;
    expect(parts.page('old', 1)).toBeNull();
    for (let i = 0; i <= 256; i++) parts.keep(`c${i}`, { membersVersion: 1, members: [], lastSeq: 1, page });
    expect(parts.page('c0', 1)).toBeNull();
    expect(parts.page('c1', 1)).toBe(page);
    expect(parts.page('c256', 1)).toBe(page);
  });
});
