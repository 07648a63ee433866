import type pg from 'pg';
import type {
  AuthUser,
  AuthUserChanges,
  NewOneTimeToken,
  NewPasswordUser,
  OneTimeTokenPurpose,
  StoredRefreshToken,
} from '../storage';
import { inTransaction, sqlState, violatedConstraint } from './database';
import { USER_COLUMNS, toAuthUser, type UserRow } from './rows';

/**
 * The embedded auth's tables: password users, sessions and their refresh tokens
 * (stored hashed), and the one-time tokens of recovery and e-mail change. A
 * session's tokens rotate: using one revokes it (keeping the time, for reuse
 * detection) and issues the next.
 *
 * Single statements run on the pool (atomic by themselves); what takes several
 * statements runs in a transaction.
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
      at = new Date(),
    ): Promise<{ user_id: string; session_id: string } | null> {
      return inTransaction(pool, 'write', async (client) => {
        const now = at.toISOString();
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

    async revokeUserAuthSessions(userId: string, exceptSessionId?: string): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(
        `UPDATE auth_sessions SET revoked_at = $1
         WHERE user_id = $2 AND id <> $3 AND revoked_at IS NULL RETURNING id`,
        [new Date().toISOString(), userId, exceptSessionId ?? ''],
      );
      return rows.map((row) => row.id);
    },

    async findRefreshToken(hash: string): Promise<StoredRefreshToken | null> {
      const { rows } = await pool.query<{
        session_id: string;
        user_id: string;
        revoked_at: Date | null;
        session_revoked: boolean;
      }>(
        `SELECT t.session_id, s.user_id, t.revoked_at, s.revoked_at IS NOT NULL AS session_revoked
         FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
         WHERE t.token_hash = $1`,
        [hash],
      );
      const row = rows[0];
      return row ? { ...row, revoked_at: row.revoked_at?.toISOString() ?? null } : null;
    },

    async revokedAuthSessions(sessionIds: readonly string[]): Promise<string[]> {
      if (sessionIds.length === 0) return [];
      const { rows } = await pool.query<{ id: string }>(
        'SELECT id FROM auth_sessions WHERE id = ANY($1::text[]) AND revoked_at IS NOT NULL',
        [sessionIds],
      );
      return rows.map((row) => row.id);
    },

    /** The row lock of the UPDATE orders concurrent changes; the unique index guards password e-mails. */
    async updateAuthUser(
      id: string,
      changes: AuthUserChanges,
      now: Date,
    ): Promise<AuthUser | 'email_taken' | null> {
      const email = changes.email?.toLowerCase() ?? null;
      try {
        const { rows } = await pool.query<UserRow>(
          `WITH taken AS (
             SELECT EXISTS (SELECT 1 FROM users WHERE $2::text IS NOT NULL AND email = $2 AND id <> $1) AS taken
           )
           UPDATE users SET
             email = COALESCE($2, email),
             display_name = COALESCE($3, display_name),
             search_name = COALESCE(lower($3), search_name),
             password_hash = COALESCE($4, password_hash),
             user_metadata = COALESCE($5::jsonb, user_metadata),
             updated_at = $6
           FROM taken WHERE users.id = $1 AND NOT taken.taken
           RETURNING ${USER_COLUMNS.split(', ')
             .map((column) => `users.${column}`)
             .join(', ')}`,
          [
            id,
            email,
            changes.display_name ?? null,
            changes.password_hash ?? null,
            changes.user_metadata ? JSON.stringify(changes.user_metadata) : null,
            now.toISOString(),
          ],
        );
        if (rows[0]) return toAuthUser(rows[0]);
      } catch (error) {
        if (sqlState(error) === '23505' && violatedConstraint(error) === 'users_password_email') {
          return 'email_taken';
        }
        throw error;
      }
      const exists = await pool.query('SELECT 1 FROM users WHERE id = $1', [id]);
      return exists.rowCount ? 'email_taken' : null;
    },

    async createOneTimeToken(token: NewOneTimeToken, now: Date): Promise<void> {
      await inTransaction(pool, 'write', async (client) => {
        const at = now.toISOString();
        await client.query(
          `UPDATE auth_one_time_tokens SET used_at = $1
           WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL`,
          [at, token.user_id, token.purpose],
        );
        await client.query(
          `INSERT INTO auth_one_time_tokens
             (token_hash, code_hash, user_id, purpose, new_email, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            token.token_hash,
            token.code_hash,
            token.user_id,
            token.purpose,
            token.new_email,
            at,
            token.expires_at.toISOString(),
          ],
        );
      });
    },

    /** FOR UPDATE: two uses of one token at once find it one after the other, the second spent. */
    consumeOneTimeToken(
      match: { token_hash: string } | { user_id: string; code_hash: string },
      purpose: OneTimeTokenPurpose,
      now: Date,
      maxAttempts: number,
    ): Promise<{ user_id: string; new_email: string | null } | null> {
      return inTransaction(pool, 'write', async (client) => {
        const at = now.toISOString();
        const columns = 'token_hash, code_hash, user_id, new_email';
        const { rows } =
          'token_hash' in match
            ? await client.query<{
                token_hash: string;
                code_hash: string;
                user_id: string;
                new_email: string | null;
              }>(
                `SELECT ${columns} FROM auth_one_time_tokens
                 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
                 FOR UPDATE`,
                [match.token_hash, purpose, at],
              )
            : await client.query<{
                token_hash: string;
                code_hash: string;
                user_id: string;
                new_email: string | null;
              }>(
                `SELECT ${columns} FROM auth_one_time_tokens
                 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
                 ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
                [match.user_id, purpose, at],
              );
        const row = rows[0];
        if (!row) return null;
        if ('code_hash' in match && row.code_hash !== match.code_hash) {
          await client.query(
            `UPDATE auth_one_time_tokens SET attempts = attempts + 1,
               used_at = CASE WHEN attempts + 1 >= $1 THEN $2::timestamptz ELSE used_at END
             WHERE token_hash = $3`,
            [maxAttempts, at, row.token_hash],
          );
          return null;
        }
        await client.query('UPDATE auth_one_time_tokens SET used_at = $1 WHERE token_hash = $2', [
          at,
          row.token_hash,
        ]);
        return { user_id: row.user_id, new_email: row.new_email };
      });
    },
  };
}
