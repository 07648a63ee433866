import { randomUUID } from 'node:crypto';
import type { Conversation, User } from '@chat/protocol';
import { httpJson } from './http';
import { signTestToken, type TokenOptions } from './tokens';

/** A user as the server provisioned them, and a token of theirs. */
export interface TestUser extends User {
  /** A test user's own address, always known (only a directory search hides it). */
  email: string;
  token: string;
}

/**
 * A new user, provisioned by their first authenticated request (`GET /api/me`)
 * as a Supabase project's users are. `options` shape the token (id, e-mail,
 * lifetime, secret); the e-mail is made from the name unless given.
 */
export async function createUser(
  server: { url: string },
  displayName: string,
  options: TokenOptions = {},
): Promise<TestUser> {
  const id = options.sub ?? randomUUID();
  const email =
    options.email ?? `${displayName.toLowerCase().replace(/\W+/g, '.')}.${id.slice(0, 6)}@example.test`;
  const token = await signTestToken({ ...options, sub: id, email, displayName });
  const { user } = (await httpJson(server, token, 'GET', '/api/me')) as { user: User };
  return { ...user, email, token };
}

/** `POST /api/conversations` by `owner` with `others` (and a title, for a group). */
export async function createConversation(
  server: { url: string },
  owner: { token: string },
  others: ReadonlyArray<{ id: string }>,
  title?: string,
): Promise<Conversation> {
  const body = { member_ids: others.map((other) => other.id), ...(title === undefined ? {} : { title }) };
  const reply = (await httpJson(server, owner.token, 'POST', '/api/conversations', body)) as {
    conversation: Conversation;
  };
  return reply.conversation;
}
