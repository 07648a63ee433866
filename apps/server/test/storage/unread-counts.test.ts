import { describe, expect, it } from 'vitest';
import { UnreadCounts, type CountKey } from '../../src/storage/unread-counts';

const key = (id: string, readSeq: number, lastSeq: number): CountKey => ({ id, readSeq, lastSeq });
const counted = (pairs: Array<[string, number, number]>) =>
  new Map(pairs.map(([id, unread, mentions]) => [id, [unread, mentions] as const]));

describe('UnreadCounts', () => {
  it('counts again only where the read_seq or the last_seq moved, per viewer', () => {
    const counts = new UnreadCounts();
    const listed = [key('a', 3, 5), key('b', 0, 0)];
    expect(counts.of('alice').missing(listed)).toEqual(['a', 'b']);
    expect(
      counts
        .of('alice')
        .counts(
          listed,
          counted([
            ['a', 2, 1],
            ['b', 0, 0],
          ]),
        )
        .map(({ unread, mentions }) => [unread, mentions]),
    ).toEqual([
      [2, 1],
      [0, 0],
    ]);

    // Alice reads a (read_seq 3 -> 5), b gets a message (last_seq 0 -> 1); Bob has nothing kept.
    const later = [key('a', 5, 5), key('b', 0, 1)];
    expect(counts.of('alice').missing(later)).toEqual(['a', 'b']);
    expect(counts.of('alice').missing([key('a', 3, 5)])).toEqual([]);
    expect(counts.of('bob').missing([key('a', 3, 5)])).toEqual(['a']);
    const [a, b] = counts.of('alice').counts(
      later,
      counted([
        ['a', 0, 0],
        ['b', 1, 0],
      ]),
    );
    expect(a).toMatchObject({ unread: 0, mentions: 0 });
    expect(b).toMatchObject({ unread: 1, mentions: 0 });
    expect(counts.of('alice').missing(later)).toEqual([]);
  });

  it('refuses counts it was not given', () => {
    expect(() => new UnreadCounts().of('alice').counts([key('a', 0, 1)], counted([]))).toThrow(/not read/);
  });

  it('forgets the conversations a viewer no longer lists', () => {
    const counts = new UnreadCounts();
    counts.of('alice').counts(
      [key('a', 0, 1), key('b', 0, 1)],
      counted([
        ['a', 1, 0],
        ['b', 1, 0],
      ]),
    );
    expect(counts.size).toBe(3); // alice, and her two conversations
    counts.of('alice').counts([key('a', 0, 1)], counted([]));
    expect(counts.size).toBe(2);
    expect(counts.of('alice').missing([key('b', 0, 1)])).toEqual(['b']);
  });

  it('past its bound, lets the least recently listed viewers go, never the one listing', () => {
    // Each viewer below is two entries: the viewer and one conversation.
    const counts = new UnreadCounts(6);
    const list = (viewer: string, ...ids: string[]) =>
      counts.of(viewer).counts(
        ids.map((id) => key(id, 0, 1)),
        counted(ids.map((id) => [id, 1, 0])),
      );
    list('alice', 'a');
    list('bob', 'a');
    list('carol', 'a');
    list('alice', 'a'); // alice is now the most recently listed; bob the least
    list('dave', 'a');
    expect(counts.size).toBe(6);
    expect(counts.of('bob').missing([key('a', 0, 1)])).toEqual(['a']);
    expect(counts.of('alice').missing([key('a', 0, 1)])).toEqual([]);

    // One viewer alone past the bound is kept whole while listing.
    list('erin', 'a', 'b', 'c', 'd', 'e', 'f');
    expect(counts.size).toBe(7);
  });

  it('bounds viewers in no conversation too', () => {
    const counts = new UnreadCounts(10);
    for (let k = 0; k < 50; k++) counts.of(`viewer ${k}`).counts([], counted([]));
    expect(counts.size).toBe(10);
  });
});
