import { createServer, get, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { BodySlabs } from '../../src/http/body-slabs';

/*
 * Real HTTP responses on loopback: a slab is taken again only after its
 * response finished, and a response cut off before that keeps its slab out.
 */

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** Serves `respond` on a loopback port; resolves its base URL. */
async function serve(respond: (response: ServerResponse) => void): Promise<string> {
  server = createServer((_request, response) => respond(response));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** The whole body of a GET. */
function fetchBody(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('error', reject);
    }).on('error', reject);
  });
}

test('a large body is written into a slab that its next response takes again, whole and correct', async () => {
  const slabs = new BodySlabs();
  const taken: ArrayBuffer[] = [];
  let fill = 0;
  const url = await serve((response) => {
    const body = slabs.take(300_000, response);
    taken.push(body.buffer as ArrayBuffer);
    body.fill(++fill);
    response.end(body);
  });
  const first = await fetchBody(url);
  await expect.poll(() => slabs.freeCount).toBe(1);
  const second = await fetchBody(url);
  expect(first.length).toBe(300_000);
  expect(first.every((byte) => byte === 1)).toBe(true);
  expect(second.every((byte) => byte === 2)).toBe(true);
  expect(taken[1]).toBe(taken[0]);
});

test('small bodies are plain buffers and keep nothing', async () => {
  const slabs = new BodySlabs();
  const url = await serve((response) => response.end(slabs.take(1000, response).fill(7)));
  expect(await fetchBody(url)).toEqual(Buffer.alloc(1000, 7));
  expect(slabs.freeCount).toBe(0);
});

test('a response cut off before it finished does not give its slab back', async () => {
  const slabs = new BodySlabs();
  const url = await serve((response) => {
    slabs.take(300_000, response);
    response.destroy(); // the client is gone before the body was written
  });
  await expect(fetchBody(url)).rejects.toThrow();
  expect(slabs.freeCount).toBe(0);
});
