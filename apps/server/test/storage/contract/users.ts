import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewPasswordUser } from '../../../src/storage/storage';
import { makeUsers, useFixture, type MakeStorage } from './fixture';

function passwordUser(email: string, display_name = 'Pat'): NewPasswordUser {
  return {
    id: randomUUID(),
    email,
    display_name,
    password_hash: 'hash:secret',
    user_metadata: { display_name },
  };
}

export function usersContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('users', () => {
    it('ensureUser: a new id is stored with its e-mail lower-cased and returned', async () => {
      const { storage } = fixture();
      const id = randomUUID();
      const user = await storage.ensureUser({ id, email: 'Ada@Example.COM', display_name: 'Ada' });
      expect(user).toEqual({ id, email: 'ada@example.com', display_name: 'Ada', is_agent: false });
      expect(await storage.getUser(id)).toEqual(user);
    });

    it('ensureUser: a known id returns the stored user unchanged', async () => {
      const { storage } = fixture();
      const id = randomUUID();
      const first = await storage.ensureUser({ id, email: 'ada@example.com', display_name: 'Ada' });
      const again = await storage.ensureUser({ id, email: 'other@example.com', display_name: 'Other' });
      expect(again).toEqual(first);
    });

    it('ensureUser: an e-mail another id holds still creates the user', async () => {
      const { storage } = fixture();
      const a = await storage.ensureUser({ id: randomUUID(), email: 'same@example.com', display_name: 'A' });
      const b = await storage.ensureUser({ id: randomUUID(), email: 'SAME@example.com', display_name: 'B' });
      expect(b.email).toBe('same@example.com');
      expect(await storage.getUser(a.id)).toEqual(a);
      expect(await storage.getUser(b.id)).toEqual(b);
    });

    it('getUser: an unknown id is null', async () => {
      expect(await fixture().storage.getUser(randomUUID())).toBeNull();
    });

    it('searchUsers: a case-insensitive prefix of the display name, any word of it, or the e-mail', async () => {
      const { storage } = fixture();
      const [me] = await makeUsers(storage, 'me');
      const ada = await storage.ensureUser({
        id: randomUUID(),
        email: 'ada@math.org',
        display_name: 'Ada Lovelace',
      });
      const alan = await storage.ensureUser({
        id: randomUUID(),
        email: 'turing@b.org',
        display_name: 'alan Turing',
      });
      const grace = await storage.ensureUser({
        id: randomUUID(),
        email: 'gh@navy.mil',
        display_name: 'Grace Hopper',
      });
      const names = async (query: string) =>
        (await storage.searchUsers(query, me!.id, 20)).map((u) => u.display_name);

      expect(await names('A')).toEqual([ada.display_name, alan.display_name]);
      expect(await names('LOVE')).toEqual([ada.display_name]);
      expect(await names('tur')).toEqual([alan.display_name]);
      expect(await names('GH@')).toEqual([grace.display_name]);
      expect(await names('ada lo')).toEqual([ada.display_name]);
      expect(await names('ovelace')).toEqual([]);
      expect(await names('me')).toEqual([]);
    });

    it('searchUsers: an empty query lists the first `limit` users by display name, the caller left out', async () => {
      const { storage } = fixture();
      const [me] = await makeUsers(storage, 'dora', 'carl', 'bert', 'anna', 'emil');
      const found = await storage.searchUsers('', me!.id, 3);
      expect(found.map((u) => u.display_name)).toEqual(['Anna', 'Bert', 'Carl']);
    });

    it('searchUsers: LIKE wildcards in the query match only themselves', async () => {
      const { storage } = fixture();
      const [me] = await makeUsers(storage, 'me');
      await storage.ensureUser({ id: randomUUID(), email: 'x1@example.com', display_name: '100% Real' });
      await storage.ensureUser({ id: randomUUID(), email: 'x2@example.com', display_name: '1000 Names' });
      await storage.ensureUser({ id: randomUUID(), email: 'a_b@example.com', display_name: 'Underscore' });
      await storage.ensureUser({ id: randomUUID(), email: 'axb@example.com', display_name: 'Letter' });
      const names = async (query: string) =>
        (await storage.searchUsers(query, me!.id, 20)).map((u) => u.display_name);
      expect(await names('100%')).toEqual(['100% Real']);
      expect(await names('a_')).toEqual(['Underscore']);
      expect(await names('%')).toEqual([]);
    });
  });

  describe('embedded auth', () => {
    it('createPasswordUser: stores the hash and metadata; found by id and by e-mail in any case', async () => {
      const { storage } = fixture();
      const input = passwordUser('Pat@Example.com');
      const created = await storage.createPasswordUser(input);
      expect(created).toMatchObject({
        id: input.id,
        email: 'pat@example.com',
        display_name: 'Pat',
        password_hash: 'hash:secret',
        user_metadata: { display_name: 'Pat' },
      });
      expect(Date.parse(created!.created_at)).not.toBeNaN();
      expect(Date.parse(created!.updated_at)).not.toBeNaN();
      expect(await storage.getAuthUser(input.id)).toEqual(created);
      expect(await storage.findAuthUserByEmail('PAT@example.COM')).toEqual(created);
      expect(await storage.getUser(input.id)).toEqual({
        id: input.id,
        email: 'pat@example.com',
        display_name: 'Pat',
        is_agent: false,
      });
    });

    it('createPasswordUser: null when the e-mail is taken, whatever its case', async () => {
      const { storage } = fixture();
      expect(await storage.createPasswordUser(passwordUser('pat@example.com'))).not.toBeNull();
      expect(await storage.createPasswordUser(passwordUser('PAT@example.com'))).toBeNull();
      await storage.ensureUser({ id: randomUUID(), email: 'Token@Example.com', display_name: 'T' });
      expect(await storage.createPasswordUser(passwordUser('token@example.com'))).toBeNull();
    });

    it('findAuthUserByEmail and getAuthUser: null when unknown', async () => {
      const { storage } = fixture();
      expect(await storage.findAuthUserByEmail('nobody@example.com')).toBeNull();
      expect(await storage.getAuthUser(randomUUID())).toBeNull();
    });

    it('rotateRefreshToken: a live token rotates once; the new one works, the old one never again', async () => {
      const { storage } = fixture();
      const user = (await storage.createPasswordUser(passwordUser('pat@example.com')))!;
      const sessionId = randomUUID();
      await storage.createAuthSession({ id: sessionId, user_id: user.id, refresh_token_hash: 'r1' });

      expect(await storage.rotateRefreshToken('r1', 'r2')).toEqual({
        user_id: user.id,
        session_id: sessionId,
      });
      expect(await storage.rotateRefreshToken('r1', 'r3')).toBeNull();
      expect(await storage.rotateRefreshToken('r2', 'r4')).toEqual({
        user_id: user.id,
        session_id: sessionId,
      });
      expect(await storage.rotateRefreshToken('unknown', 'r5')).toBeNull();
    });

    it('revokeAuthSession: its tokens stop rotating; other sessions go on', async () => {
      const { storage } = fixture();
      const user = (await storage.createPasswordUser(passwordUser('pat@example.com')))!;
      const [s1, s2] = [randomUUID(), randomUUID()];
      await storage.createAuthSession({ id: s1, user_id: user.id, refresh_token_hash: 'a1' });
      await storage.createAuthSession({ id: s2, user_id: user.id, refresh_token_hash: 'b1' });
      await storage.rotateRefreshToken('a1', 'a2');

      await storage.revokeAuthSession(s1);
      expect(await storage.rotateRefreshToken('a2', 'a3')).toBeNull();
      expect(await storage.rotateRefreshToken('b1', 'b2')).toEqual({ user_id: user.id, session_id: s2 });
    });

    it("revokeUserAuthSessions: every session of the user ends; other users' go on", async () => {
      const { storage } = fixture();
      const pat = (await storage.createPasswordUser(passwordUser('pat@example.com')))!;
      const sam = (await storage.createPasswordUser(passwordUser('sam@example.com', 'Sam')))!;
      await storage.createAuthSession({ id: randomUUID(), user_id: pat.id, refresh_token_hash: 'p1' });
      await storage.createAuthSession({ id: randomUUID(), user_id: pat.id, refresh_token_hash: 'q1' });
      await storage.createAuthSession({ id: randomUUID(), user_id: sam.id, refresh_token_hash: 's1' });

      await storage.revokeUserAuthSessions(pat.id);
      expect(await storage.rotateRefreshToken('p1', 'p2')).toBeNull();
      expect(await storage.rotateRefreshToken('q1', 'q2')).toBeNull();
      expect(await storage.rotateRefreshToken('s1', 's2')).toMatchObject({ user_id: sam.id });
    });

    it('findRefreshToken: a rotated token is found with its rotation time; a revoked session shows', async () => {
      const { storage } = fixture();
      const user = (await storage.createPasswordUser(passwordUser('pat@example.com')))!;
      const sessionId = randomUUID();
      await storage.createAuthSession({ id: sessionId, user_id: user.id, refresh_token_hash: 'f1' });
      expect(await storage.findRefreshToken('f1')).toEqual({
        session_id: sessionId,
        user_id: user.id,
        revoked_at: null,
        session_revoked: false,
      });
      const at = new Date('2030-01-02T03:04:05.678Z');
      await storage.rotateRefreshToken('f1', 'f2', at);
      expect(await storage.findRefreshToken('f1')).toMatchObject({ revoked_at: at.toISOString() });
      expect(await storage.findRefreshToken('f2')).toMatchObject({
        revoked_at: null,
        session_revoked: false,
      });
      await storage.revokeAuthSession(sessionId);
      expect(await storage.findRefreshToken('f2')).toMatchObject({ session_revoked: true });
      expect(await storage.findRefreshToken('unknown')).toBeNull();
    });

    it('revokeUserAuthSessions: all but the one kept, returning the ids; revokedAuthSessions names them', async () => {
      const { storage } = fixture();
      const pat = (await storage.createPasswordUser(passwordUser('pat@example.com')))!;
      const [keep, end1, end2] = [randomUUID(), randomUUID(), randomUUID()];
      for (const [id, hash] of [
        [keep, 'k1'],
        [end1, 'e1'],
        [end2, 'e2'],
      ] as const) {
        await storage.createAuthSession({ id, user_id: pat.id, refresh_token_hash: hash });
      }
      expect((await storage.revokeUserAuthSessions(pat.id, keep)).sort()).toEqual([end1, end2].sort());
      expect(await storage.revokeUserAuthSessions(pat.id, keep)).toEqual([]);
      const unknown = randomUUID();
      expect((await storage.revokedAuthSessions([keep, end1, end2, unknown])).sort()).toEqual(
        [end1, end2].sort(),
      );
      expect(await storage.revokedAuthSessions([])).toEqual([]);
      expect(await storage.rotateRefreshToken('k1', 'k2')).toMatchObject({ session_id: keep });
    });

    it('updateAuthUser: changes what is given, the chat name included; a taken e-mail is refused', async () => {
      const { storage } = fixture();
      const pat = (await storage.createPasswordUser(passwordUser('pat@example.com')))!;
      await storage.createPasswordUser(passwordUser('sam@example.com', 'Sam'));
      const now = new Date('2031-05-06T07:08:09.000Z');
      const renamed = await storage.updateAuthUser(
        pat.id,
        { display_name: 'Patricia', user_metadata: { display_name: 'Patricia', theme: 'dark' } },
        now,
      );
      expect(renamed).toMatchObject({
        email: 'pat@example.com',
        display_name: 'Patricia',
        password_hash: 'hash:secret',
        user_metadata: { display_name: 'Patricia', theme: 'dark' },
        updated_at: now.toISOString(),
      });
      expect(await storage.getUser(pat.id)).toMatchObject({ display_name: 'Patricia' });
      expect((await storage.searchUsers('patri', randomUUID(), 5)).map((u) => u.id)).toContain(pat.id);

      expect(await storage.updateAuthUser(pat.id, { email: 'SAM@example.com' }, now)).toBe('email_taken');
      expect(
        await storage.updateAuthUser(pat.id, { email: 'Pat.New@example.com', password_hash: 'hash:2' }, now),
      ).toMatchObject({ email: 'pat.new@example.com', password_hash: 'hash:2', display_name: 'Patricia' });
      expect(await storage.findAuthUserByEmail('pat.new@example.com')).toMatchObject({ id: pat.id });
      expect(await storage.updateAuthUser(randomUUID(), { display_name: 'X' }, now)).toBeNull();
    });

    it('one-time tokens: used once by link or code, until they expire; a new one replaces the old', async () => {
      const { storage } = fixture();
      const pat = (await storage.createPasswordUser(passwordUser('pat@example.com')))!;
      const t0 = new Date('2032-01-01T00:00:00.000Z');
      const later = (ms: number) => new Date(t0.getTime() + ms);
      const token = (hash: string, code: string) => ({
        token_hash: hash,
        code_hash: code,
        user_id: pat.id,
        purpose: 'recovery' as const,
        new_email: null,
        expires_at: later(3_600_000),
      });

      await storage.createOneTimeToken(token('link1', 'code1'), t0);
      expect(
        await storage.consumeOneTimeToken({ token_hash: 'link1' }, 'email_change', later(1), 1),
      ).toBeNull();
      expect(await storage.consumeOneTimeToken({ token_hash: 'link1' }, 'recovery', later(1), 1)).toEqual({
        user_id: pat.id,
        new_email: null,
      });
      expect(await storage.consumeOneTimeToken({ token_hash: 'link1' }, 'recovery', later(2), 1)).toBeNull();

      await storage.createOneTimeToken(token('link2', 'code2'), later(10));
      await storage.createOneTimeToken(token('link3', 'code3'), later(20));
      expect(await storage.consumeOneTimeToken({ token_hash: 'link2' }, 'recovery', later(30), 1)).toBeNull();
      const byCode = { user_id: pat.id, code_hash: 'code3' };
      expect(await storage.consumeOneTimeToken(byCode, 'recovery', later(3_600_021), 5)).toBeNull();
      expect(await storage.consumeOneTimeToken(byCode, 'recovery', later(40), 5)).toMatchObject({
        user_id: pat.id,
      });

      await storage.createOneTimeToken(token('link4', 'code4'), later(50));
      for (let attempt = 0; attempt < 3; attempt++) {
        expect(
          await storage.consumeOneTimeToken(
            { user_id: pat.id, code_hash: 'wrong' },
            'recovery',
            later(60),
            3,
          ),
        ).toBeNull();
      }
      // Spent by the wrong guesses: the right code comes too late.
      expect(
        await storage.consumeOneTimeToken({ user_id: pat.id, code_hash: 'code4' }, 'recovery', later(70), 3),
      ).toBeNull();
    });
  });
}
