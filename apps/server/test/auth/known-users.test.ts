import type { User } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { KnownUsers } from '../../src/auth/known-users';

const user = (id: string): User => ({ id, email: `${id}@example.test`, display_name: id, is_agent: false });

describe('KnownUsers', () => {
  it('answers a user remembered within its age, and forgets it after', () => {
    let now = 0;
    const known = new KnownUsers(10, 1000, () => now);
    expect(known.get('a')).toBeUndefined();
    known.remember(user('a'));
    now = 1000;
    expect(known.get('a')).toEqual(user('a'));
    // A hit does not make it younger: it is read again from storage a second after it was.
    now = 1001;
    expect(known.get('a')).toBeUndefined();
    expect(known.size).toBe(0);
  });

  it('past its bound, lets the least recently seen go', () => {
    const known = new KnownUsers(2, 60_000, () => 0);
    known.remember(user('a'));
    known.remember(user('b'));
    known.get('a');
    known.remember(user('c'));
    expect(known.size).toBe(2);
    expect(known.get('b')).toBeUndefined();
    expect(known.get('a')).toEqual(user('a'));
    expect(known.get('c')).toEqual(user('c'));
  });
});
