import http from 'node:http';
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

/** One keep-alive connection per server for timed GETs (scenario 8 runs one at a time). */
const timedAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * A GET as `user`, its answer as bytes, through node:http on a kept-alive
 * connection: the timing of a REST read. `fetch` (undici) cost the generator
 * ~0.5 ms more per 240 KB listing at p50 and ~3 ms at p95 on the bench machine
 * (2026-12-03, the same server's CPU per request either way), which a timing
 * of the server should not carry.
 */
export function timedGet(baseUrl: string, user: BenchUser, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${baseUrl}${path}`,
      { agent: timedAgent, headers: { authorization: `Bearer ${user.token}` } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(bytes);
          else reject(new Error(`${path}: HTTP ${status} ${bytes.toString('utf8')}`));
        });
      },
    );
    request.on('error', reject);
  });
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
