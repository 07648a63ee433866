import type { BenchUser } from './tokens';

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** A REST call as `user`: GET, or POST with a JSON body. */
export async function api<T>(baseUrl: string, user: BenchUser, path: string, body?: unknown): Promise<T> {
  return JSON.parse(await apiText(baseUrl, user, path, body)) as T;
}

/** The same call's answer as text, unparsed. */
export async function apiText(
  baseUrl: string,
  user: BenchUser,
  path: string,
  body?: unknown,
): Promise<string> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${user.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text}`);
  return text;
}

/** Creates each user on the server (`GET /api/me`), a few requests at a time. */
export async function provisionUsers(baseUrl: string, users: readonly BenchUser[]): Promise<void> {
  await mapLimit(users, 16, (user) => api(baseUrl, user, '/api/me'));
}

/**
 * Splits `users` into consecutive groups of `groupSize` and creates one
 * conversation per group (`POST /api/conversations` by its first member).
 * Returns, for each user, the id of their conversation.
 */
export async function createGroups(
  baseUrl: string,
  users: readonly BenchUser[],
  groupSize: number,
): Promise<string[]> {
  const groups: BenchUser[][] = [];
  for (let start = 0; start < users.length; start += groupSize) {
    groups.push(users.slice(start, start + groupSize));
  }
  const ids = await mapLimit(groups, 8, async ([creator, ...others]) => {
    if (!creator || others.length === 0) throw new Error('a group needs at least two members');
    const { conversation } = await api<{ conversation: { id: string } }>(
      baseUrl,
      creator,
      '/api/conversations',
      { member_ids: others.map((user) => user.id) },
    );
    return conversation.id;
  });
  return users.map((_, index) => ids[Math.floor(index / groupSize)] as string);
}
