import type { Storage } from '../storage';
import { authQueries } from './auth';
import { conversationQueries } from './conversations';
import { createPool, type PostgresStorageOptions } from './database';
import { messageQueries } from './messages';
import { migratePostgres } from './migrate';
import { userQueries } from './users';

export type { PostgresStorageOptions } from './database';

/**
 * The shared storage: PostgreSQL through a `pg` pool, for several server
 * processes on one database. Opening migrates the schema (under an advisory lock).
 *
 * Every method is atomic: a single statement on the pool, or a transaction on a
 * dedicated connection (database.ts `inTransaction`). Writes that change a
 * conversation hold its row lock until they commit, which keeps its counter
 * gapless across processes; reads of several statements (the join snapshot) run
 * in one REPEATABLE READ transaction, and conversation views are one statement.
 */
export async function createPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const pool = createPool(options);
  try {
    await migratePostgres(pool, options.schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const users = userQueries(pool);
  const auth = authQueries(pool);
  const conversations = conversationQueries(pool);
  const messages = messageQueries(pool);
  let closing: Promise<void> | null = null;

  return {
    kind: 'postgres',

    ensureUser: users.ensureUser,
    getUser: users.getUser,
    searchUsers: users.searchUsers,

    createPasswordUser: auth.createPasswordUser,
    findAuthUserByEmail: auth.findAuthUserByEmail,
    getAuthUser: auth.getAuthUser,
    createAuthSession: auth.createAuthSession,
    rotateRefreshToken: auth.rotateRefreshToken,
    revokeAuthSession: auth.revokeAuthSession,
    revokeUserAuthSessions: auth.revokeUserAuthSessions,

    createConversation: conversations.createConversation,
    getConversation: conversations.getConversation,
    listConversations: conversations.listConversations,
    membership: conversations.membership,
    memberIds: conversations.memberIds,
    markRead: conversations.markRead,
    lastSeq: conversations.lastSeq,

    appendMessages: messages.appendMessages,
    editMessage: messages.editMessage,
    deleteMessage: messages.deleteMessage,
    setReaction: messages.setReaction,
    joinSnapshot: messages.joinSnapshot,
    messagesBefore: messages.messagesBefore,
    changesSince: messages.changesSince,

    async ping() {
      await pool.query('SELECT 1');
    },
    /** Waits for the queries in flight, then closes every connection. A second call is harmless. */
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
}
