import type { Database } from 'better-sqlite3';
import type { Storage } from '../storage';
import { agentQueries } from './agents';
import { SqliteWriter } from './append-thread';
import { attachmentQueries } from './attachments';
import { authQueries } from './auth';
import { conversationListQueries } from './conversation-list';
import { conversationQueries } from './conversations';
import { openSqliteDatabase, type SqliteStorageOptions } from './database';
import { groupQueries } from './groups';
import { messageQueries } from './messages';
import { pushQueries } from './push';
import { searchQueries } from './search';
import { searchIndexQueries } from './search-index';
import { userQueries } from './users';
import { webhookQueries } from './webhooks';

/** Batches of sends handed to the writer thread before the first is answered (see append-worker.ts). */
const APPEND_PIPELINE_DEPTH = 4;

export type { SqliteStorageOptions } from './database';

/**
 * The embedded storage: one SQLite file through better-sqlite3. Its calls are
 * synchronous; the interface is async for PostgreSQL's sake, so each method runs
 * its synchronous work in one transaction and resolves with the result.
 *
 * Sends are the exception: their group commits run on a writer thread with a
 * connection of its own (append-thread.ts, one thread per process), so the event loop never waits for
 * their statements or fsync.
 *
 * Writes take the lock up front (BEGIN IMMEDIATE), so two processes on one file
 * wait on busy_timeout instead of failing on a read-to-write upgrade. Reads of
 * several statements (join, conversation lists) run in one deferred transaction:
 * under WAL they see one snapshot.
 */
export function createSqliteStorage(options: SqliteStorageOptions): Storage {
  const db = openSqliteDatabase(options);
  const users = userQueries(db);
  const auth = authQueries(db);
  const conversations = conversationQueries(db);
  const conversationList = conversationListQueries(db);
  const attachments = attachmentQueries(db);
  const searchIndex = searchIndexQueries(db);
  const messages = messageQueries(db, conversations, attachments, searchIndex);
  const groups = groupQueries(conversations, messages);
  const search = searchQueries(db);
  const push = pushQueries(db);
  const agents = agentQueries(db);
  const webhooks = webhookQueries(db);
  search.backfillSearchText();
  const write = transactional(db, 'immediate');
  const read = transactional(db, 'deferred');
  const selectOne = db.prepare('SELECT 1');
  const indexWaitingRows = write(searchIndex.catchUp);
  const searchMessages = read(search.searchMessages);
  const insertUser = write(users.ensureUser);
  const writer = options.writerThread === false ? null : new SqliteWriter(options);
  // Ready before the first send; if it cannot be, that send fails with the reason and reports it.
  writer?.prepare().catch(() => undefined);

  return {
    kind: 'sqlite',

    // Every authenticate and REST request ensures its user: known users must not take the write lock.
    ensureUser: async (user) => users.getUser(user.id) ?? insertUser(user),
    getUser: read(users.getUser),
    searchUsers: read(users.searchUsers),

    createPasswordUser: write(auth.createPasswordUser),
    findAuthUserByEmail: read(auth.findAuthUserByEmail),
    getAuthUser: read(auth.getAuthUser),
    createAuthSession: write(auth.createAuthSession),
    rotateRefreshToken: write(auth.rotateRefreshToken),
    findRefreshToken: read(auth.findRefreshToken),
    revokeAuthSession: write(auth.revokeAuthSession),
    revokeUserAuthSessions: write(auth.revokeUserAuthSessions),
    revokedAuthSessions: read(auth.revokedAuthSessions),
    updateAuthUser: write(auth.updateAuthUser),
    createOneTimeToken: write(auth.createOneTimeToken),
    consumeOneTimeToken: write(auth.consumeOneTimeToken),

    createConversation: write(conversations.createConversation),
    getConversation: read(conversations.getConversation),
    listConversations: read(conversationList.listConversations),
    listConversationsJson: read(conversationList.listConversationsJson),
    membership: read(conversations.membership),
    memberIds: read(conversations.memberIds),
    markRead: write(conversations.markRead),
    changeGroup: write(groups.changeGroup),
    updateSettings: write(conversations.updateSettings),
    lastSeq: read(conversations.lastSeq),
    lastSeqs: read(conversations.lastSeqs),

    appendMessages: writer ? (batch) => writer.append(batch) : write(messages.appendMessages),
    // The writer thread serves requests first in first out and commits those waiting together.
    appendPipelineDepth: writer ? APPEND_PIPELINE_DEPTH : 1,
    editMessage: write(messages.editMessage),
    deleteMessage: write(messages.deleteMessage),
    setReaction: write(messages.setReaction),
    joinSnapshot: read(messages.joinSnapshot),
    messagesBefore: read(messages.messagesBefore),
    changesSince: read(messages.changesSince),
    streamFacts: read(messages.streamFacts),
    endStream: write(messages.endStream),
    checkpointStream: write(messages.checkpointStream),
    staleStreams: read(messages.staleStreams),
    // Sends leave up to SEARCH_INDEX_BATCH rows unindexed: a search indexes them first.
    searchMessages: async (input) => {
      if (searchIndex.waiting() > 0) await indexWaitingRows();
      return searchMessages(input);
    },

    createAttachment: write(attachments.createAttachment),
    getAttachment: read(attachments.getAttachment),
    canReadAttachment: read(attachments.canReadAttachment),
    claimDeadAttachments: write(attachments.claimDeadAttachments),

    savePushSubscription: write(push.savePushSubscription),
    deletePushSubscription: write(push.deletePushSubscription),
    deletePushEndpoint: write(push.deletePushEndpoint),
    pushSubscriptionsOf: read(push.pushSubscriptionsOf),
    pushAudience: read(push.pushAudience),

    createAgent: write(agents.createAgent),
    getAgent: read(agents.getAgent),
    listAgents: read(agents.listAgents),
    updateAgent: write(agents.updateAgent),
    replaceAgentKey: write(agents.replaceAgentKey),
    deleteAgent: write(agents.deleteAgent),
    agentUserByKeyHash: read(agents.agentUserByKeyHash),

    webhookRecipients: read(webhooks.webhookRecipients),
    enqueueWebhookDeliveries: write(webhooks.enqueueWebhookDeliveries),
    claimWebhookDeliveries: write(webhooks.claimWebhookDeliveries),
    rescheduleWebhookDelivery: write(webhooks.rescheduleWebhookDelivery),
    deleteWebhookDelivery: write(webhooks.deleteWebhookDelivery),
    turnOffWebhook: write(webhooks.turnOffWebhook),
    webhookDeliveriesOf: read(webhooks.webhookDeliveriesOf),

    ping: read(() => {
      selectOne.get();
    }),
    async close() {
      await writer?.close();
      if (db.open) db.close();
    },
  };
}

/** Wraps a synchronous function as an async one that runs in a transaction of `mode`. */
function transactional(db: Database, mode: 'immediate' | 'deferred') {
  return <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => Promise<R>) => {
    const transaction = db.transaction(fn);
    return async (...args) => transaction[mode](...args);
  };
}
