/**
 * Users, conversations and waiting, against a real chat server reached over
 * loopback HTTP (in this process or in its own: only its URL is needed).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { Conversation } from '@chat/protocol';
import { signToken } from './tokens';

export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  /** A token valid for an hour. */
  token: string;
}

/** A new user; the server creates it on first use of its token. */
export async function createUser(server: { url: string }, displayName: string): Promise<TestUser> {
  const id = randomUUID();
  const email = `${displayName.toLowerCase()}.${id.slice(0, 8)}@example.test`;
  const token = await signToken({ id, email, displayName });
  await httpJson(server, token, 'GET', '/api/me');
  return { id, email, displayName, token };
}

export async function createConversation(
  server: { url: string },
  owner: TestUser,
  others: TestUser[],
): Promise<Conversation> {
  const body = { member_ids: others.map((other) => other.id) };
  const reply = (await httpJson(server, owner.token, 'POST', '/api/conversations', body)) as {
    conversation: Conversation;
  };
  return reply.conversation;
}

/**
 * A JSON request with node:http (not fetch: in the happy-dom suites the global
 * fetch is the DOM's, with CORS rules, and a fresh socket per call also avoids
 * reusing a keep-alive socket of a restarted server).
 */
export function httpJson(
  server: { url: string },
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new Error(`${method} ${path}: ${status} ${text}`));
          else resolve(text ? JSON.parse(text) : undefined);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls `condition` until it holds (no fixed sleeps: a loaded CI machine is slow). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 15_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
