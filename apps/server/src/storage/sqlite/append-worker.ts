import { parentPort } from 'node:worker_threads';
import type { AppendOutcome, MessageAudience, NewMessage, PushAudience } from '../storage';
import { attachmentQueries } from './attachments';
import { conversationQueries } from './conversations';
import { openSqliteDatabase, type SqliteStorageOptions } from './database';
import { messageQueries } from './messages';
import { pushQueries } from './push';
import { searchIndexQueries } from './search-index';
import { webhookQueries } from './webhooks';

/** Requests to the writer thread; `file` names one open connection of it. */
export type WriterRequest =
  | { kind: 'open'; file: number; options: SqliteStorageOptions }
  | { kind: 'append'; id: number; file: number; batch: NewMessage[] }
  | { kind: 'close'; id: number; file: number };

export type WriterReply =
  | { kind: 'appended'; id: number; outcomes: AppendOutcome[] }
  | { kind: 'closed'; id: number }
  | { kind: 'failed'; id: number; message: string; code: string | null };

/**
 * The writer thread of the SQLite storage (issue 13): on it, each batch of sends
 * is one IMMEDIATE transaction on a connection of its own, so the statements
 * and the fsync of the commit run beside the event loop that serves every
 * socket, not on it. One thread per process serves every database file the
 * process opened (tests open hundreds). The main thread migrated each file
 * before asking; SQLite's lock orders these writes with the main connection's.
 */
function serve(): void {
  const port = parentPort;
  if (!port) throw new Error('append-worker runs as a worker thread only');
  const appenders = new Map<number, ReturnType<typeof openAppender>>();
  /** Why a file could not be opened, answered to each of its appends. */
  const openFailures = new Map<number, { message: string; code: string | null }>();

  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'open') {
      try {
        appenders.set(request.file, openAppender(request.options));
      } catch (error) {
        openFailures.set(request.file, describe(error));
      }
      return;
    }
    if (request.kind === 'close') {
      appenders.get(request.file)?.close();
      appenders.delete(request.file);
      openFailures.delete(request.file);
      port.postMessage({ kind: 'closed', id: request.id } satisfies WriterReply);
      return;
    }
    const appender = appenders.get(request.file);
    let reply: WriterReply;
    try {
      if (!appender)
        throw openFailures.get(request.file) ?? new Error('database not open on the writer thread');
      reply = { kind: 'appended', id: request.id, outcomes: appender.append(request.batch) };
    } catch (error) {
      // The transaction rolled back: nothing of the batch is stored. The host fails its sends.
      reply = { kind: 'failed', id: request.id, ...describe(error) };
    }
    port.postMessage(reply);
  });
}

function openAppender(options: SqliteStorageOptions) {
  const db = openSqliteDatabase({ ...options, migrate: false });
  const messages = messageQueries(db, conversationQueries(db), attachmentQueries(db), searchIndexQueries(db));
  const push = pushQueries(db);
  const webhooks = webhookQueries(db);
  // The pushes and webhooks of each new message are decided on the main thread from
  // its audience, read here in the same transaction instead of there after it.
  const transaction = db.transaction((batch: NewMessage[]) => {
    const outcomes = messages.appendMessages(batch);
    const audiences = new Map<string, PushAudience | null>();
    for (const outcome of outcomes) {
      if (outcome.status !== 'created') continue;
      const { conversation_id: conversationId, sender_id: senderId } = outcome.message;
      if (!audiences.has(conversationId)) audiences.set(conversationId, push.pushAudience(conversationId));
      const audience: MessageAudience = {
        push: audiences.get(conversationId) ?? null,
        webhookAgentIds: webhooks.webhookRecipients(conversationId, senderId),
      };
      outcome.audience = audience;
    }
    return outcomes;
  });
  return {
    append: (batch: NewMessage[]) => transaction.immediate(batch),
    close: () => db.close(),
  };
}

function describe(error: unknown): { message: string; code: string | null } {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    message:
      error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error),
    code: typeof code === 'string' ? code : null,
  };
}

serve();
