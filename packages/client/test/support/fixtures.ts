/**
 * Users, conversations and waiting, against a real chat server reached over
 * loopback HTTP (in this process or in its own: only its URL is needed).
 */
import { createUser as provisionUser } from '@chat/testkit';

export { createConversation, httpJson } from '@chat/testkit';

export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  /** A token valid for an hour. */
  token: string;
}

/** A new user; the server creates it on first use of its token. */
export async function createUser(server: { url: string }, displayName: string): Promise<TestUser> {
  const user = await provisionUser(server, displayName);
  return { id: user.id, email: user.email, displayName, token: user.token };
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
