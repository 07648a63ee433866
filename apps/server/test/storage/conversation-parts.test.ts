import { describe, expect, it } from 'vitest';
import {
  ConversationParts,
  type LastMessagePart,
  type ListedConversation,
  type ListedJson,
} from '../../src/storage/conversation-parts';
import { jsonText } from '../../src/storage/json-pieces';

const row = (id: string, membersVersion: number, lastSeq: number, unread = 0): ListedConversation => ({
  id,
  membersVersion,
  readSeqSum: 0,
  lastSeq,
  counts: { unread, mentions: unread > 0 ? 1 : 0 },
  viewerJson: `{"id":"${id}"}`,
});
const json = (text: string) => Buffer.from(text);
const message = (seq: number): LastMessagePart => ({
  json: json(`{"seq":${seq}}`),
  createdAt: `2026-12-03T00:00:0${seq}.000Z`,
});
const NO_MESSAGE: LastMessagePart = { json: null, createdAt: null };
const parsed = (listed: ListedJson) => JSON.parse(jsonText(listed.json)) as unknown;

describe('ConversationParts', () => {
  it('asks for what it lacks at the numbers listed, and splices the parts and counts into the viewer JSON', () => {
    const parts = new ConversationParts();
    const listed = [row('a', 1, 5, 3), row('b', 2, 0)];
    expect(parts.missing(listed)).toEqual({ members: ['a', 'b'], lastMessages: ['a', 'b'] });
    const jsons = parts.conversations(
      listed,
      new Map([
        ['a', json('[1]')],
        ['b', json('[{"display_name":"Zoë 😀"}]')],
      ]),
      new Map([
        ['a', message(5)],
        ['b', NO_MESSAGE],
      ]),
    );
    expect(jsons.map((listed) => listed.lastMessageAt)).toEqual(['2026-12-03T00:00:05.000Z', null]);
    expect(jsons.map(parsed)).toEqual([
      { id: 'a', members: [1], last_message: { seq: 5 }, unread_count: 3, unread_mentions: 1 },
      {
        id: 'b',
        members: [{ display_name: 'Zoë 😀' }],
        last_message: null,
        unread_count: 0,
        unread_mentions: 0,
      },
    ]);

    // Only the number that moved is read again; the other part is kept.
    const later = [row('a', 1, 6), row('b', 3, 0)];
    expect(parts.missing(later)).toEqual({ members: ['b'], lastMessages: ['a'] });
    const [a, b] = parts.conversations(later, new Map([['b', json('[3]')]]), new Map([['a', message(6)]]));
    expect(parsed(a!)).toMatchObject({ members: [1], last_message: { seq: 6 } });
    expect(a!.lastMessageAt).toBe('2026-12-03T00:00:06.000Z');
    expect(parsed(b!)).toMatchObject({ members: [3], last_message: null });
    expect(b!.lastMessageAt).toBeNull();
  });

  it('reads the members again when the sum of their read_seq moved at the same members_version (PostgreSQL)', () => {
    const parts = new ConversationParts();
    const at = (readSeqSum: number): ListedConversation => ({ ...row('a', 4, 9), readSeqSum });
    parts.conversations([at(10)], new Map([['a', json('[10]')]]), new Map([['a', message(9)]]));
    expect(parts.missing([at(10)])).toEqual({ members: [], lastMessages: [] });
    expect(parts.missing([at(11)])).toEqual({ members: ['a'], lastMessages: [] });
    const [read] = parts.conversations([at(11)], new Map([['a', json('[11]')]]), new Map());
    expect(parsed(read!)).toMatchObject({ members: [11] });
    expect(parts.kept('a')).toMatchObject({ membersVersion: 4, readSeqSum: 11, lastSeq: 9 });
  });

  it('refuses to build a conversation from a part that was not read', () => {
    const parts = new ConversationParts();
    expect(() => parts.conversations([row('a', 1, 1)], new Map(), new Map([['a', NO_MESSAGE]]))).toThrow(
      /not read/,
    );
  });

  it('past its bound of bytes, lets the least recently listed go until 90% of it is left', () => {
    // Room for three conversations' parts: '[x]' and 'null'.
    const parts = new ConversationParts(3 * (3 + 4));
    const fill = (...ids: string[]) =>
      parts.conversations(
        ids.map((id) => row(id, 1, 0)),
        new Map(ids.map((id) => [id, json('[x]')])),
        new Map(ids.map((id) => [id, NO_MESSAGE])),
      );
    fill('a', 'b', 'c');
    expect(parts.size).toBe(3);
    fill('a'); // a is now the most recently listed
    fill('d');
    expect(parts.missing(['a', 'b', 'c', 'd'].map((id) => row(id, 1, 0))).members).toEqual(['b', 'c']);
    expect(parts.size).toBe(2);
  });
});
