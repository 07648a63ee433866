import type { Database } from 'better-sqlite3';
import type { AuthUser, NewPasswordUser } from '../storage';
import { toAuthUser, type UserRow } from './rows';

/**
 * The embedded auth's tables: password users, sessions and their refresh tokens
 * (stored hashed). A session's tokens rotate: using one revokes it and issues the
 * next, so a token works once.
 *
 * Plain synchronous functions over statements prepared once; sqlite-storage.ts
 * runs each in a transaction.
 */
export function authQueries(db: Database) {
  const emailTaken = db.prepare<[string], 1>('SELECT 1 FROM users WHERE email = ? LIMIT 1').pluck();
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
  const insertSession = db.prepare<[string, string, string]>(
    'INSERT INTO auth_sessions (id, user_id, created_at) VALUES (?, ?, ?)',
  );
  const insertToken = db.prepare<[string, string, string]>(
    'INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)',
  );
  const liveToken = db.prepare<[string], { session_id: string; user_id: string }>(
    `SELECT t.session_id, s.user_id FROM refresh_tokens t
     JOIN auth_sessions s ON s.id = t.session_id
     WHERE t.token_hash = ? AND t.revoked_at IS NULL AND s.revoked_at IS NULL`,
  );
  const revokeToken = db.prepare<[string, string]>(
    'UPDATE refresh_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
  );
  // Revoking a session is enough: a token rotates only while its session is live.
  const revokeSession = db.prepare<[string, string]>(
    'UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );
  const revokeUserSessions = db.prepare<[string, string]>(
    'UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
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

    createAuthSession(session: { id: string; user_id: string; refresh_token_hash: string }): void {
      const now = new Date().toISOString();
      insertSession.run(session.id, session.user_id, now);
      insertToken.run(session.refresh_token_hash, session.id, now);
    },

    rotateRefreshToken(oldHash: string, newHash: string): { user_id: string; session_id: string } | null {
      const live = liveToken.get(oldHash);
      if (!live) return null;
      const now = new Date().toISOString();
      revokeToken.run(now, oldHash);
      insertToken.run(newHash, live.session_id, now);
      return { user_id: live.user_id, session_id: live.session_id };
    },

    revokeAuthSession(sessionId: string): void {
      revokeSession.run(new Date().toISOString(), sessionId);
    },

    revokeUserAuthSessions(userId: string): void {
      revokeUserSessions.run(new Date().toISOString(), userId);
    },
  };
}
