import { randomUUID } from 'node:crypto';
import type { Conversation, User } from '@chat/protocol';
import type { ChatServer } from '../../src/index';
import { signTestToken, type TokenOptions } from './tokens';
import { TestSocket } from './test-socket';

export interface TestUser extends User {
  token: string;
}

/** A user provisioned by their first authenticated request, as a Supabase project's users are. */
export async function createUser(
  server: ChatServer,
  displayName: string,
  options: TokenOptions = {},
): Promise<TestUser> {
  const id = options.sub ?? randomUUID();
  const email =
    options.email ?? `${displayName.toLowerCase().replace(/\W+/g, '.')}.${id.slice(0, 6)}@example.test`;
  const token = await signTestToken({ ...options, sub: id, email, displayName });
  const response = await api(server, token, 'GET', '/api/me');
  if (response.status !== 200) throw new Error(`provisioning failed: ${response.status}`);
  const { user } = (await response.json()) as { user: User };
  return { ...user, token };
}

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

export async function createConversation(
  server: ChatServer,
  owner: TestUser,
  others: TestUser[],
  title?: string,
): Promise<Conversation> {
  const response = await api(server, owner.token, 'POST', '/api/conversations', {
    member_ids: others.map((other) => other.id),
    ...(title === undefined ? {} : { title }),
  });
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`createConversation failed: ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as { conversation: Conversation }).conversation;
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
