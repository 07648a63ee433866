import { randomUUID } from 'node:crypto';
import type { TestUser } from '@chat/testkit';
import type { ChatServer } from '../../src/index';
import { TestSocket } from './test-socket';

// Users (provisioned by GET /api/me) and conversations, made over HTTP like any client's.
export { createConversation, createUser } from '@chat/testkit';
export type { TestUser } from '@chat/testkit';

export async function api(
  server: ChatServer,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const request = () =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  try {
    return await request();
  } catch (error) {
    // After a server restart on the same port, fetch may first pick a pooled
    // keep-alive socket of the old server; a GET is safe to try once more.
    if (method !== 'GET') throw error;
    return request();
  }
}

/** An authenticated socket of `user`. */
export async function connectAs(server: ChatServer, user: TestUser): Promise<TestSocket> {
  const socket = await TestSocket.open(server.wsUrl);
  const reply = await socket.request({ type: 'authenticate', token: user.token });
  if (reply.type !== 'authenticated') throw new Error(`authenticate failed: ${JSON.stringify(reply)}`);
  return socket;
}

/** An authenticated socket joined to the conversation; returns the `joined` frame too. */
export async function joinedSocket(server: ChatServer, user: TestUser, conversationId: string) {
  const socket = await connectAs(server, user);
  const joined = await socket.request({ type: 'join_conversation', conversation_id: conversationId });
  if (joined.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(joined)}`);
  return { socket, joined };
}

export const newClientId = () => randomUUID();
