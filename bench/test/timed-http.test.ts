import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimedHttpClient } from '../src/timed-http';

/**
 * Answers GET /bytes/N with N bytes (a pattern), /status/N with that status, each
 * with a Content-Length as the chat server's answers have; counts connections.
 */
let server: Server;
let baseUrl: string;
let connections = 0;
const pattern = (size: number) => Buffer.from(Array.from({ length: size }, (_, k) => 33 + (k % 90)));

beforeAll(async () => {
  server = createServer((request, response) => {
    const [, kind, value] = request.url?.split('/') ?? [];
    const answer = (status: number, body: string) =>
      response.writeHead(status, { 'content-length': Buffer.byteLength(body) }).end(body);
    if (request.headers.authorization !== 'Bearer secret') answer(401, '{"error":"401"}');
    else if (kind === 'bytes') response.end(pattern(Number(value)));
    else if (kind === 'status') answer(Number(value), 'refused');
    else if (kind === 'hang-up') request.socket.destroy();
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('TimedHttpClient', () => {
  it('answers each body whole, small and larger than its buffers, on one kept-alive connection', async () => {
    const before = connections;
    const client = await TimedHttpClient.open(baseUrl);
    try {
      for (const size of [0, 1, 70_000, 300_000, 3_000_000, 5]) {
        const body = await client.get(`/bytes/${size}`, 'secret');
        expect(body.length).toBe(size);
        expect(body.equals(pattern(size))).toBe(true);
      }
      expect(connections - before).toBe(1);
    } finally {
      client.close();
    }
  });

  it('rejects a status other than 2xx with the body, and a second request in flight', async () => {
    const client = await TimedHttpClient.open(baseUrl);
    try {
      await expect(client.get('/status/503', 'secret')).rejects.toThrow('HTTP 503 refused');
      await expect(client.get('/bytes/1', 'wrong')).rejects.toThrow(/HTTP 401/);
      const first = client.get('/bytes/10', 'secret');
      await expect(client.get('/bytes/10', 'secret')).rejects.toThrow(/one request at a time/);
      expect((await first).length).toBe(10);
    } finally {
      client.close();
    }
  });

  it('rejects the request in flight when the server hangs up, and every one after', async () => {
    const client = await TimedHttpClient.open(baseUrl);
    await expect(client.get('/hang-up', 'secret')).rejects.toThrow(/closed/);
    await expect(client.get('/bytes/1', 'secret')).rejects.toThrow(/closed/);
  });
});
