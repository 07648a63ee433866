import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { AppendOutcome, MessageAudience, NewMessage, PushAudience } from '../storage';
import { attachmentQueries } from './attachments';
import { serveCheckpoints, WAL_RESTART_PAGES, type CheckpointProblem } from './checkpointer';
import { CheckpointerHandle } from './checkpointer-handle';
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
  | { kind: 'failed'; id: number; message: string; code: string | null }
  /** Not a reply: the checkpointer thread's trouble, for the host to log (`file` 0: the thread's own). */
  | CheckpointProblem;

/**
 * The writer thread of the SQLite storage (issue 13): on it, each batch of sends
 * is one IMMEDIATE transaction on a connection of its own, so the statements
 * and the fsync of the commit run beside the event loop that serves every
 * socket, not on it. One thread per process serves every database file the
 * process opened (tests open hundreds). The main thread migrated each file
 * before asking; SQLite's lock orders these writes with the main connection's.
 *
 * Group commit here too: the host hands over the next batches while one
 * commits (SendQueue, `appendPipelineDepth`), and the appends to one file
 * waiting here when a transaction ends are committed together, in one
 * transaction and one fsync, each answered on its own. Requests are served in
 * the order they came, so a conversation's seqs follow its sends. The WAL is
 * copied back into each file by a checkpointer thread of its own (checkpointer.ts),
 * not by these commits.
 */
function serve(): void {
  const port = parentPort;
  if (!port) throw new Error('append-worker runs as a worker thread only');
  const appenders = new Map<number, ReturnType<typeof openAppender>>();
  /** Why a file could not be opened, answered to each of its appends. */
  const openFailures = new Map<number, { message: string; code: string | null }>();
  // The checkpointer runs this same script (see the end of the file), named by the host.
  const script = new URL((workerData as { script: string }).script);
  const checkpointer = new CheckpointerHandle(
    script,
    (problem) => port.postMessage(problem),
    (file) => {
      const problem = appenders.get(file)?.restartWal();
      if (problem)
        port.postMessage({ kind: 'checkpoint-failed', file, message: problem } satisfies WriterReply);
    },
  );

  const handle = (request: WriterRequest, waiting: WriterRequest[]): void => {
    if (request.kind === 'open') {
      try {
        appenders.set(request.file, openAppender(request.options));
        checkpointer.open(request.file, {
          filename: request.options.filename,
          synchronous: request.options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL',
          restartPages: request.options.walRestartPages ?? WAL_RESTART_PAGES,
        });
      } catch (error) {
        openFailures.set(request.file, describe(error));
      }
      return;
    }
    if (request.kind === 'close') {
      checkpointer.close(request.file);
      appenders.get(request.file)?.close();
      appenders.delete(request.file);
      openFailures.delete(request.file);
      port.postMessage({ kind: 'closed', id: request.id } satisfies WriterReply);
      return;
    }
    // The appends to this file queued right behind this one go in its transaction.
    const group = [request];
    while (waiting[0]?.kind === 'append' && waiting[0].file === request.file) {
      group.push(waiting.shift() as typeof request);
    }
    for (const reply of appendGroup(appenders.get(request.file), openFailures.get(request.file), group)) {
      port.postMessage(reply);
    }
    checkpointer.wrote(request.file);
  };

  port.on('message', (first: WriterRequest) => {
    const waiting = drain(port);
    handle(first, waiting);
    for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) handle(next, waiting);
  });
}

/** Every request already queued on the port, in order, taken off it. */
function drain(port: MessagePort): WriterRequest[] {
  const waiting: WriterRequest[] = [];
  for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
    waiting.push(next.message as WriterRequest);
  }
  return waiting;
}

/**
 * Appends of one file in one transaction, one reply each. When that
 * transaction fails, each append is tried alone, so one that cannot commit
 * fails by itself (and rolls back whole: nothing of it stored) and the others
 * still commit, as if they had come one at a time.
 */
function appendGroup(
  appender: ReturnType<typeof openAppender> | undefined,
  openFailure: { message: string; code: string | null } | undefined,
  group: Array<Extract<WriterRequest, { kind: 'append' }>>,
): WriterReply[] {
  if (!appender) {
    const failure = openFailure ?? describe(new Error('database not open on the writer thread'));
    return group.map((request) => ({ kind: 'failed', id: request.id, ...failure }));
  }
  if (group.length > 1) {
    try {
      const outcomes = appender.append(group.flatMap((request) => request.batch));
      let from = 0;
      return group.map((request) => {
        const own = outcomes.slice(from, (from += request.batch.length));
        return { kind: 'appended', id: request.id, outcomes: own };
      });
    } catch {
      // Rolled back whole; told apart below, one append at a time.
    }
  }
  return group.map((request): WriterReply => {
    try {
      return { kind: 'appended', id: request.id, outcomes: appender.append(request.batch) };
    } catch (error) {
      // The transaction rolled back: nothing of the batch is stored. The host fails its sends.
      return { kind: 'failed', id: request.id, ...describe(error) };
    }
  });
}

/**
 * The writer's page cache, KiB: 8 MiB, an eighth of the reading connection's.
 * Its commits pay for every page it holds: when a B-tree page splits, SQLite
 * orders the new siblings by swapping page numbers through the lock-byte
 * page's (262,145 with 4 KiB pages), which marks the cache as holding pages
 * past the end of the file, and the commit then walks the whole cache to drop
 * them. Below 1 GiB of database, every commit after such a split pays that
 * walk: with the 64 MiB cache full, 16,000 pages (issue 13: a tenth of the
 * writer thread's CPU in the dm load, gdb showing the cache's largest page
 * number at 262,145 at each walk). The pages it writes again soon (the tail of
 * each index, each active conversation's leaves) fit in 8 MiB.
 */
const WRITER_PAGE_CACHE_KIB = 8 * 1024;

function openAppender(options: SqliteStorageOptions) {
  const db = openSqliteDatabase({ ...options, migrate: false });
  db.pragma(`cache_size = -${WRITER_PAGE_CACHE_KIB}`);
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
    /**
     * Copies back what committed since the checkpointer's last checkpoint, between
     * two of this connection's transactions, so that the next one starts the WAL
     * over (checkpointer.ts). Returns why it failed; the automatic checkpoint
     * still bounds the WAL then.
     */
    restartWal(): string | null {
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
        return null;
      } catch (error) {
        return describe(error).message;
      }
    },
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

if ((workerData as { role?: string } | null)?.role === 'checkpointer') {
  if (!parentPort) throw new Error('the checkpointer runs as a worker thread only');
  serveCheckpoints(parentPort);
} else {
  serve();
}
