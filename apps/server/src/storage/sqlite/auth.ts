import type { Database } from 'better-sqlite3';
import type {
  AuthUser,
  AuthUserChanges,
  NewOneTimeToken,
  NewPasswordUser,
  OneTimeTokenPurpose,
  StoredRefreshToken,
} from '../storage';
import { toAuthUser, type UserRow } from './rows';

/**
 * The embedded auth's tables: password users, sessions and their refresh tokens
 * (stored hashed), and the one-time tokens of recovery and e-mail change. A
 * session's tokens rotate: using one revokes it (keeping the time, for reuse
 * detection) and issues the next.
 *
 * Plain synchronous functions over statements prepared once; sqlite-storage.ts
 * runs each in a transaction.
 */
export function authQueries(db: Database) {
  const emailTaken = db.prepare<[string], 1>('SELECT 1 FROM users WHERE email = ? LIMIT 1').pluck();
  const emailTakenByOther = db
    .prepare<[string, string], 1>('SELECT 1 FROM users WHERE email = ? AND id <> ? LIMIT 1')
    .pluck();
  const insertUser = db.prepare<[NewPasswordUser & { metadata: string; now: string }]>(
    `INSERT INTO users (id, email, display_name, password_hash, user_metadata, created_at, updated_at)
     VALUES (:id, :email, :display_name, :password_hash, :metadata, :now, :now)`,
  );
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  // Several users may share an e-mail (token-provisioned ones); the password user wins.
  const byEmail = db.prepare<[string], UserRow>(
    `SELECT * FROM users WHERE email = ?
     ORDER BY password_hash IS NULL, created_at, id LIMIT 1`,
  );
  const updateUser = db.prepare<
    [
      {
        id: string;
        email: string;
        display_name: string;
        password_hash: string | null;
        metadata: string;
        now: string;
      },
    ]
  >(
    `UPDATE users SET email = :email, display_name = :display_name, password_hash = :password_hash,
       user_metadata = :metadata, updated_at = :now
     WHERE id = :id`,
  );
  const insertSession = db.prepare<[string, string, string]>(
    'INSERT INTO auth_sessions (id, user_id, created_at) VALUES (?, ?, ?)',
  );
  const insertToken = db.prepare<[string, string, string]>(
    'INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)',
  );
  const anyToken = db.prepare<
    [string],
    { session_id: string; user_id: string; revoked_at: string | null; session_revoked: 0 | 1 }
  >(
    `SELECT t.session_id, s.user_id, t.revoked_at, s.revoked_at IS NOT NULL AS session_revoked
     FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
     WHERE t.token_hash = ?`,
  );
  const revokeToken = db.prepare<[string, string]>(
    'UPDATE refresh_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
  );
  // Revoking a session is enough: a token rotates only while its session is live.
  const revokeSession = db.prepare<[string, string]>(
    'UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );
  const liveSessionsOf = db
    .prepare<[string, string], string>(
      'SELECT id FROM auth_sessions WHERE user_id = ? AND id <> ? AND revoked_at IS NULL',
    )
    .pluck();
  const isRevoked = db
    .prepare<[string], 1>('SELECT 1 FROM auth_sessions WHERE id = ? AND revoked_at IS NOT NULL')
    .pluck();
  const spendOneTimeTokens = db.prepare<[string, string, string]>(
    `UPDATE auth_one_time_tokens SET used_at = ?
     WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
  );
  const insertOneTimeToken = db.prepare<[NewOneTimeToken & { created_at: string; expires_at_text: string }]>(
    `INSERT INTO auth_one_time_tokens
       (token_hash, code_hash, user_id, purpose, new_email, created_at, expires_at)
     VALUES (:token_hash, :code_hash, :user_id, :purpose, :new_email, :created_at, :expires_at_text)`,
  );
  type OneTimeRow = { token_hash: string; code_hash: string; user_id: string; new_email: string | null };
  const liveByLink = db.prepare<[string, string, string], OneTimeRow>(
    `SELECT token_hash, code_hash, user_id, new_email FROM auth_one_time_tokens
     WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`,
  );
  const latestLiveOf = db.prepare<[string, string, string], OneTimeRow>(
    `SELECT token_hash, code_hash, user_id, new_email FROM auth_one_time_tokens
     WHERE user_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
     ORDER BY created_at DESC LIMIT 1`,
  );
  const spendOne = db.prepare<[string, string]>(
    'UPDATE auth_one_time_tokens SET used_at = ? WHERE token_hash = ?',
  );
  const countAttempt = db.prepare<[number, string, string], { attempts: number }>(
    `UPDATE auth_one_time_tokens SET attempts = attempts + 1,
       used_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE used_at END
     WHERE token_hash = ? RETURNING attempts`,
  );

  return {
    /** `null` when any user (password or token-provisioned) already has the e-mail. */
    createPasswordUser(user: NewPasswordUser): AuthUser | null {
      const email = user.email.toLowerCase();
      if (emailTaken.get(email)) return null;
      const now = new Date().toISOString();
      insertUser.run({ ...user, email, metadata: JSON.stringify(user.user_metadata), now });
      return toAuthUser(byId.get(user.id)!);
    },

    findAuthUserByEmail(email: string): AuthUser | null {
      const row = byEmail.get(email.toLowerCase());
      return row ? toAuthUser(row) : null;
    },

    getAuthUser(id: string): AuthUser | null {
      const row = byId.get(id);
      return row ? toAuthUser(row) : null;
    },

    updateAuthUser(id: string, changes: AuthUserChanges, now: Date): AuthUser | 'email_taken' | null {
      const row = byId.get(id);
      if (!row) return null;
      const current = toAuthUser(row);
      const email = changes.email?.toLowerCase() ?? current.email;
      if (email !== current.email && emailTakenByOther.get(email, id)) return 'email_taken';
      updateUser.run({
        id,
        email,
        display_name: changes.display_name ?? current.display_name,
        password_hash: changes.password_hash ?? current.password_hash,
        metadata: JSON.stringify(changes.user_metadata ?? current.user_metadata),
        now: now.toISOString(),
      });
      return toAuthUser(byId.get(id)!);
    },

    createAuthSession(session: { id: string; user_id: string; refresh_token_hash: string }): void {
      const now = new Date().toISOString();
      insertSession.run(session.id, session.user_id, now);
      insertToken.run(session.refresh_token_hash, session.id, now);
    },

    rotateRefreshToken(
      oldHash: string,
      newHash: string,
      now = new Date(),
    ): { user_id: string; session_id: string } | null {
      const token = anyToken.get(oldHash);
      if (!token || token.revoked_at !== null || token.session_revoked) return null;
      const at = now.toISOString();
      revokeToken.run(at, oldHash);
      insertToken.run(newHash, token.session_id, at);
      return { user_id: token.user_id, session_id: token.session_id };
    },

    findRefreshToken(hash: string): StoredRefreshToken | null {
      const row = anyToken.get(hash);
      return row ? { ...row, session_revoked: row.session_revoked === 1 } : null;
    },

    revokeAuthSession(sessionId: string): void {
      revokeSession.run(new Date().toISOString(), sessionId);
    },

    revokeUserAuthSessions(userId: string, exceptSessionId?: string): string[] {
      const ids = liveSessionsOf.all(userId, exceptSessionId ?? '');
      const now = new Date().toISOString();
      for (const id of ids) revokeSession.run(now, id);
      return ids;
    },

    revokedAuthSessions(sessionIds: readonly string[]): string[] {
      return sessionIds.filter((id) => isRevoked.get(id) === 1);
    },

    createOneTimeToken(token: NewOneTimeToken, now: Date): void {
      const at = now.toISOString();
      spendOneTimeTokens.run(at, token.user_id, token.purpose);
      insertOneTimeToken.run({ ...token, created_at: at, expires_at_text: token.expires_at.toISOString() });
    },

    consumeOneTimeToken(
      match: { token_hash: string } | { user_id: string; code_hash: string },
      purpose: OneTimeTokenPurpose,
      now: Date,
      maxAttempts: number,
    ): { user_id: string; new_email: string | null } | null {
      const at = now.toISOString();
      const row =
        'token_hash' in match
          ? liveByLink.get(match.token_hash, purpose, at)
          : latestLiveOf.get(match.user_id, purpose, at);
      if (!row) return null;
      if ('code_hash' in match && row.code_hash !== match.code_hash) {
        countAttempt.get(maxAttempts, at, row.token_hash);
        return null;
      }
      spendOne.run(at, row.token_hash);
      return { user_id: row.user_id, new_email: row.new_email };
    },
  };
}
