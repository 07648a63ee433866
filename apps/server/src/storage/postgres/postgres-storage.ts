import type pg from 'pg';
import type { Storage } from '../storage';
import { agentQueries } from './agents';
import { attachmentQueries } from './attachments';
import { authQueries } from './auth';
import { conversationQueries } from './conversations';
import { createPool, type PostgresStorageOptions as PoolOptions } from './database';
import { groupQueries } from './groups';
import { historyQueries } from './history';
import { messageQueries } from './messages';
import { migratePostgres } from './migrate';
import { pushQueries } from './push';
import { backfillSearchText, searchQueries } from './search';
import { userQueries } from './users';
import { webhookQueries } from './webhooks';

export interface PostgresStorageOptions extends PoolOptions {
  /**
   * When given, a database that cannot be reached (or migrated) at open is
   * waited for instead of failing the open: it resolves at once, every method
   * but `ping` and `close` rejects until the migrations ran, `ping` rejects
   * with the reason, and the migrations are retried with backoff (0.2 s to
   * 5 s), calling this at each failed attempt.
   */
  waitForDatabase?: (error: Error, attempt: number) => void;
}

/** Backoff of the migration retries while the database is away. */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5000;

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
  let closing: Promise<void> | null = null;
  let notReady: Error | null = null;
  if (options.waitForDatabase) {
    const report = options.waitForDatabase;
    notReady = new Error('database not migrated yet');
    const migrate = async (attempt: number): Promise<void> => {
      try {
        await prepareSchema(pool, options.schema);
        notReady = null;
      } catch (error) {
        notReady = error instanceof Error ? error : new Error(String(error));
        if (closing) return;
        report(notReady, attempt);
        const delay = Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS);
        setTimeout(() => void migrate(attempt + 1), delay).unref();
      }
    };
    // A database that answers is migrated before the storage is handed out; one that
    // does not leaves the retries running and the storage refusing until they succeed.
    await migrate(0);
  } else {
    try {
      await prepareSchema(pool, options.schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }
  const users = userQueries(pool);
  const auth = authQueries(pool);
  const conversations = conversationQueries(pool);
  const messages = messageQueries(pool);
  const history = historyQueries(pool);
  const groups = groupQueries(pool);
  const search = searchQueries(pool);
  const attachments = attachmentQueries(pool);
  const push = pushQueries(pool);
  const agents = agentQueries(pool);
  const webhooks = webhookQueries(pool);

  const storage: Storage = {
    kind: 'postgres',

    ensureUser: users.ensureUser,
    getUser: users.getUser,
    searchUsers: users.searchUsers,

    createPasswordUser: auth.createPasswordUser,
    findAuthUserByEmail: auth.findAuthUserByEmail,
    getAuthUser: auth.getAuthUser,
    createAuthSession: auth.createAuthSession,
    rotateRefreshToken: auth.rotateRefreshToken,
    findRefreshToken: auth.findRefreshToken,
    revokeAuthSession: auth.revokeAuthSession,
    revokeUserAuthSessions: auth.revokeUserAuthSessions,
    revokedAuthSessions: auth.revokedAuthSessions,
    updateAuthUser: auth.updateAuthUser,
    createOneTimeToken: auth.createOneTimeToken,
    consumeOneTimeToken: auth.consumeOneTimeToken,

    createConversation: conversations.createConversation,
    getConversation: conversations.getConversation,
    listConversations: conversations.listConversations,
    listConversationsJson: conversations.listConversationsJson,
    membership: conversations.membership,
    memberIds: conversations.memberIds,
    markRead: conversations.markRead,
    changeGroup: groups.changeGroup,
    updateSettings: conversations.updateSettings,
    lastSeq: conversations.lastSeq,
    lastSeqs: conversations.lastSeqs,

    appendMessages: messages.appendMessages,
    editMessage: messages.editMessage,
    deleteMessage: messages.deleteMessage,
    setReaction: messages.setReaction,
    joinSnapshot: history.joinSnapshot,
    messagesBefore: history.messagesBefore,
    changesSince: messages.changesSince,
    streamFacts: messages.streamFacts,
    endStream: messages.endStream,
    checkpointStream: messages.checkpointStream,
    staleStreams: messages.staleStreams,
    searchMessages: search.searchMessages,

    createAttachment: attachments.createAttachment,
    getAttachment: attachments.getAttachment,
    canReadAttachment: attachments.canReadAttachment,
    claimDeadAttachments: attachments.claimDeadAttachments,

    savePushSubscription: push.savePushSubscription,
    deletePushSubscription: push.deletePushSubscription,
    deletePushEndpoint: push.deletePushEndpoint,
    pushSubscriptionsOf: push.pushSubscriptionsOf,
    pushAudience: push.pushAudience,

    createAgent: agents.createAgent,
    getAgent: agents.getAgent,
    listAgents: agents.listAgents,
    updateAgent: agents.updateAgent,
    replaceAgentKey: agents.replaceAgentKey,
    deleteAgent: agents.deleteAgent,
    agentUserByKeyHash: agents.agentUserByKeyHash,

    webhookRecipients: webhooks.webhookRecipients,
    enqueueWebhookDeliveries: webhooks.enqueueWebhookDeliveries,
    claimWebhookDeliveries: webhooks.claimWebhookDeliveries,
    rescheduleWebhookDelivery: webhooks.rescheduleWebhookDelivery,
    deleteWebhookDelivery: webhooks.deleteWebhookDelivery,
    turnOffWebhook: webhooks.turnOffWebhook,
    webhookDeliveriesOf: webhooks.webhookDeliveriesOf,

    async ping() {
      if (notReady) throw new Error(`database unavailable: ${notReady.message}`, { cause: notReady });
      await pool.query('SELECT 1');
    },
    /** Waits for the queries in flight, then closes every connection. A second call is harmless. */
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
  if (!options.waitForDatabase) return storage;
  // Before the schema is there no query can be right: each refuses at once.
  const guarded: Record<string, unknown> = { ...storage };
  for (const [name, method] of Object.entries(storage)) {
    if (typeof method !== 'function' || name === 'ping' || name === 'close') continue;
    guarded[name] = (...args: unknown[]) =>
      notReady
        ? Promise.reject(new Error(`database unavailable: ${notReady.message}`, { cause: notReady }))
        : (method as (...a: unknown[]) => unknown)(...args);
  }
  return guarded as unknown as Storage;
}

/**
 * The migrations, then `search_text` of the rows that predate it (as the SQLite
 * storage does at open), so search finds old messages once the storage is ready.
 */
async function prepareSchema(pool: pg.Pool, schema: string | undefined): Promise<void> {
  await migratePostgres(pool, schema);
  await backfillSearchText(pool);
}
