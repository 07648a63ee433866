import type pg from 'pg';
import type { AuthUser, NewPasswordUser } from '../storage';
import { inTransaction, sqlState, violatedConstraint } from './database';
import { USER_COLUMNS, toAuthUser, type UserRow } from './rows';

/**
 * The embedded auth's tables: password users, sessions and their refresh tokens
 * (stored hashed). A session's tokens rotate: using one revokes it and issues the
 * next, so a token works once.
 *
 * Single statements run on the pool (atomic by themselves); rotation, two
 * statements, runs in a transaction.
 */
export function authQueries(pool: pg.Pool) {
  async function oneUser(sql: string, params: unknown[]): Promise<AuthUser | null> {
    const { rows } = await pool.query<UserRow>(sql, params);
    return rows[0] ? toAuthUser(rows[0]) : null;
  }

  return {
    /**
     * `null` when any user (password or token-provisioned) already has the e-mail.
     * One statement: the insert happens only when no user holds the e-mail; two
     * password sign-ups racing for it meet the unique index, and the loser is null.
     */
    async createPasswordUser(user: NewPasswordUser): Promise<AuthUser | null> {
      const email = user.email.toLowerCase();
      const now = new Date().toISOString();
      try {
        return await oneUser(
          `INSERT INTO users (id, email, display_name, search_name, password_hash, user_metadata,
             created_at, updated_at)
           SELECT $1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz, $7::timestamptz
           WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = $2)
           RETURNING ${USER_COLUMNS}`,
          [
            user.id,
            email,
            user.display_name,
            user.display_name.toLowerCase(),
            user.password_hash,
            JSON.stringify(user.user_metadata),
            now,
          ],
        );
      } catch (error) {
        if (sqlState(error) === '23505' && violatedConstraint(error) === 'users_password_email') return null;
        throw error;
      }
    },

    /** Several users may share an e-mail (token-provisioned ones); the password user wins. */
    findAuthUserByEmail(email: string): Promise<AuthUser | null> {
      return oneUser(
        `SELECT ${USER_COLUMNS} FROM users WHERE email = $1
         ORDER BY password_hash IS NULL, created_at, id COLLATE "C" LIMIT 1`,
        [email.toLowerCase()],
      );
    },

    getAuthUser(id: string): Promise<AuthUser | null> {
      return oneUser(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    },

    async createAuthSession(session: { id: string; user_id: string; refresh_token_hash: string }) {
      await pool.query(
        `WITH session AS (
           INSERT INTO auth_sessions (id, user_id, created_at) VALUES ($1, $2, $4) RETURNING id
         )
         INSERT INTO refresh_tokens (token_hash, session_id, created_at) SELECT $3, id, $4 FROM session`,
        [session.id, session.user_id, session.refresh_token_hash, new Date().toISOString()],
      );
    },

    /**
     * The UPDATE claims the token: a concurrent rotation of the same token waits for
     * its row lock, then finds it revoked and gets null.
     */
    rotateRefreshToken(
      oldHash: string,
      newHash: string,
    ): Promise<{ user_id: string; session_id: string } | null> {
      return inTransaction(pool, 'write', async (client) => {
        const now = new Date().toISOString();
        const { rows } = await client.query<{ user_id: string; session_id: string }>(
          `UPDATE refresh_tokens t SET revoked_at = $2
           FROM auth_sessions s
           WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND s.id = t.session_id AND s.revoked_at IS NULL
           RETURNING s.user_id, t.session_id`,
          [oldHash, now],
        );
        const live = rows[0];
        if (!live) return null;
        await client.query(
          'INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)',
          [newHash, live.session_id, now],
        );
        return { user_id: live.user_id, session_id: live.session_id };
      });
    },

    /** Revoking a session is enough: a token rotates only while its session is live. */
    async revokeAuthSession(sessionId: string): Promise<void> {
      await pool.query('UPDATE auth_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        new Date().toISOString(),
        sessionId,
      ]);
    },

    async revokeUserAuthSessions(userId: string): Promise<void> {
      await pool.query('UPDATE auth_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [
        new Date().toISOString(),
        userId,
      ]);
    },
  };
}
