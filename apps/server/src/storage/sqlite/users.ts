import type { Database } from 'better-sqlite3';
import type { User } from '@chat/protocol';
import type { NewUser } from '../storage';
import { toUser, type UserRow } from './rows';

/**
 * Users as the chat sees them. E-mails are stored lower-cased and are not unique
 * among token-provisioned users (see 001_init.sql); searches fold case with the
 * `fold` function registered in database.ts.
 *
 * Plain synchronous functions over statements prepared once; sqlite-storage.ts
 * runs each in a transaction.
 */
export function userQueries(db: Database) {
  const insertIfNew = db.prepare<[NewUser & { now: string }]>(
    `INSERT INTO users (id, email, display_name, created_at, updated_at)
     VALUES (:id, :email, :display_name, :now, :now)
     ON CONFLICT (id) DO NOTHING`,
  );
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  // `pattern` is an escaped prefix ending in %. Prefixing the name with a space and
  // the pattern with '% ' matches the start of the name and of any word in it.
  const search = db.prepare<[{ pattern: string; excludeId: string; limit: number }], UserRow>(
    `SELECT * FROM users
     WHERE id <> :excludeId
       AND (email LIKE :pattern ESCAPE '\\'
         OR ' ' || fold(display_name) LIKE '% ' || :pattern ESCAPE '\\')
       AND (is_agent = 0 OR EXISTS (SELECT 1 FROM agents a
         WHERE a.user_id = users.id AND (a.public = 1 OR a.owner_id = :excludeId)))
     ORDER BY fold(display_name), id
     LIMIT :limit`,
  );

  return {
    ensureUser(user: NewUser): User {
      insertIfNew.run({ ...user, email: user.email.toLowerCase(), now: new Date().toISOString() });
      return toUser(byId.get(user.id)!);
    },

    getUser(id: string): User | null {
      const row = byId.get(id);
      return row ? toUser(row) : null;
    },

    searchUsers(query: string, excludeId: string, limit: number): User[] {
      const pattern = `${escapeLike(query.trim().toLowerCase())}%`;
      return search.all({ pattern, excludeId, limit: Math.max(0, limit) }).map(toUser);
    },
  };
}

/** Makes `%`, `_` and `\` match themselves in a LIKE pattern with ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
