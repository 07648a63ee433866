import type { User } from '@chat/protocol';
import type { NewUser } from '../storage';
import type { Queryable } from './database';
import { USER_COLUMNS, toUser, type UserRow } from './rows';

/**
 * Users as the chat sees them. E-mails are stored lower-cased and are not unique
 * among token-provisioned users (see 001_init.sql). Case is folded by the server
 * (toLowerCase, as the SQLite storage does), never by the database's locale.
 *
 * Each function is one statement or a retry of one, atomic without a transaction.
 */
export function userQueries(db: Queryable) {
  async function byId(id: string): Promise<User | null> {
    const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  return {
    /**
     * Every authenticated request calls this, so the common case (a known user) is
     * one SELECT. A new user is inserted; if another process inserted the same id
     * meanwhile, ON CONFLICT waits for it and the stored row is read back.
     */
    async ensureUser(user: NewUser): Promise<User> {
      const known = await byId(user.id);
      if (known) return known;
      const now = new Date().toISOString();
      const { rows } = await db.query<UserRow>(
        `INSERT INTO users (id, email, display_name, search_name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (id) DO NOTHING
         RETURNING ${USER_COLUMNS}`,
        [user.id, user.email.toLowerCase(), user.display_name, user.display_name.toLowerCase(), now],
      );
      if (rows[0]) return toUser(rows[0]);
      const stored = await byId(user.id);
      if (!stored) throw new Error(`user ${user.id} was neither inserted nor found`);
      return stored;
    },

    getUser: byId,

    /**
     * `pattern` is an escaped prefix ending in %. Prefixing the name with a space and
     * the pattern with '% ' matches the start of the name and of any word in it.
     * Ordered by the folded name in code point order (COLLATE "C"), like SQLite.
     */
    async searchUsers(query: string, excludeId: string, limit: number): Promise<User[]> {
      const pattern = `${escapeLike(query.trim().toLowerCase())}%`;
      const { rows } = await db.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE id <> $2
           AND (email LIKE $1::text ESCAPE '\\'
             OR (' ' || search_name) LIKE ('% ' || $1::text) ESCAPE '\\')
           AND (NOT is_agent OR EXISTS (SELECT 1 FROM agents a
             WHERE a.user_id = users.id AND (a.public OR a.owner_id = $2)))
         ORDER BY search_name COLLATE "C", id COLLATE "C"
         LIMIT $3`,
        [pattern, excludeId, Math.max(0, Math.trunc(limit))],
      );
      return rows.map(toUser);
    },
  };
}

/** Makes `%`, `_` and `\` match themselves in a LIKE pattern with ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
