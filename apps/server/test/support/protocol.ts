import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ErrorCode, Message, ServerFrameOf, ServerFrameType } from '@chat/protocol';
import { expect } from 'vitest';
import type { ChatServer } from '../../src/index';
import { connectAs, newClientId, type TestUser } from './fixtures';
import { queryDatabase } from './postgres';
import type { TestServer } from './test-server';
import type { AnyFrame, TestSocket } from './test-socket';

/**
 * Helpers shared by the protocol conformance suites (apps/server/test/protocol):
 * typed views of frames, a send that insists on its ack, and direct access to
 * the server's SQLite file for what the wire cannot do (moving time back).
 */

/** Asserts the frame's type and narrows it. */
export function frameOf<T extends ServerFrameType>(frame: AnyFrame, type: T): ServerFrameOf<T> & AnyFrame {
  expect(frame.type, `expected ${type}, got ${JSON.stringify(frame)}`).toBe(type);
  return frame as ServerFrameOf<T> & AnyFrame;
}

/** Asserts an `error` frame with `code` and returns it. */
export function expectError(frame: AnyFrame, code: ErrorCode): ServerFrameOf<'error'> & AnyFrame {
  const error = frameOf(frame, 'error');
  expect(error.code, JSON.stringify(frame)).toBe(code);
  expect(typeof error.message).toBe('string');
  return error;
}

/** Sends a message (with a ref) and returns the acknowledged message. */
export async function sendMessage(
  socket: TestSocket,
  conversationId: string,
  body = 'hello',
  extra: Record<string, unknown> = {},
): Promise<Message> {
  const clientId = newClientId();
  const reply = await socket.request({
    type: 'send_message',
    conversation_id: conversationId,
    client_id: clientId,
    body,
    ...extra,
  });
  const ack = frameOf(reply, 'message_ack');
  expect(ack.client_id).toBe(clientId);
  return ack.message;
}

/** Sends `count` messages pipelined (numbered bodies `prefix 1`...) and returns them in seq order. */
export async function sendMany(
  socket: TestSocket,
  conversationId: string,
  count: number,
  prefix = 'message',
): Promise<Message[]> {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      socket.request({
        type: 'send_message',
        conversation_id: conversationId,
        client_id: newClientId(),
        body: `${prefix} ${index + 1}`,
      }),
    ),
  );
  return replies.map((reply) => frameOf(reply, 'message_ack').message).sort((a, b) => a.seq - b.seq);
}

/** The `message` broadcasts a socket received, as messages. */
export function broadcastMessages(socket: TestSocket): Message[] {
  return socket.ofType('message').map((frame) => frame.message);
}

/** Every `message` and `message_updated` a socket received, in arrival order. */
export function changeFrames(socket: TestSocket) {
  return socket.frames.filter(
    (frame): frame is ServerFrameOf<'message' | 'message_updated'> & AnyFrame =>
      frame.type === 'message' || frame.type === 'message_updated',
  );
}

/**
 * Opens the running server's SQLite file (WAL lets a second connection write
 * while the server runs) for `fn`, then closes it.
 */
export function withDatabase<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'chat.db'));
  try {
    db.pragma('busy_timeout = 5000');
    return fn(db);
  } finally {
    db.close();
  }
}

/** Moves a message's `created_at` `ms` into the past, to test the edit and unsend windows. */
export async function backdateMessage(server: TestServer, messageId: string, ms: number): Promise<void> {
  const databaseUrl = server.server.config.databaseUrl;
  if (databaseUrl) {
    const result = await queryDatabase(
      databaseUrl,
      `UPDATE messages SET created_at = created_at - make_interval(secs => $2::double precision / 1000) WHERE id = $1`,
      [messageId, ms],
    );
    if (result.rowCount !== 1) throw new Error(`no message ${messageId}`);
    return;
  }
  withDatabase(server.dataDir, (db) => {
    const row = db.prepare('SELECT created_at FROM messages WHERE id = ?').get(messageId) as
      { created_at: string } | undefined;
    if (!row) throw new Error(`no message ${messageId}`);
    const createdAt = new Date(Date.parse(row.created_at) - ms).toISOString();
    db.prepare('UPDATE messages SET created_at = ? WHERE id = ?').run(createdAt, messageId);
  });
}

/** Asserts strictly increasing, gapless values starting right after `after`. */
export function expectGapless(values: number[], after: number): void {
  const expected = Array.from({ length: values.length }, (_, index) => after + index + 1);
  expect(values).toEqual(expected);
}

/**
 * The sockets a suite opens, closed after each test so one test's connections
 * (and their presence) do not leak into the next.
 */
export class SocketScope {
  private readonly open: TestSocket[] = [];

  constructor(private readonly server: () => ChatServer) {}

  async connect(user: TestUser): Promise<TestSocket> {
    const socket = await connectAs(this.server(), user);
    this.open.push(socket);
    return socket;
  }

  /** An authenticated socket joined to the conversation, and its `joined` frame. */
  async join(user: TestUser, conversationId: string, sinceSeq?: number) {
    const socket = await this.connect(user);
    const joined = await joinOn(socket, conversationId, sinceSeq);
    return { socket, joined };
  }

  /** Closes every socket and waits until the server has seen them go. */
  async closeAll(): Promise<void> {
    const sockets = this.open.splice(0);
    for (const socket of sockets) socket.close();
    await Promise.all(sockets.map((socket) => socket.closed));
  }
}

/** Joins on an existing socket and returns the `joined` frame. */
export async function joinOn(socket: TestSocket, conversationId: string, sinceSeq?: number) {
  const reply = await socket.request({
    type: 'join_conversation',
    conversation_id: conversationId,
    ...(sinceSeq === undefined ? {} : { since_seq: sinceSeq }),
  });
  return frameOf(reply, 'joined');
}
