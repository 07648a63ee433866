import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/index';
import { createUser, type TestUser } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';

/** A raw TCP socket to the server, with everything it received and a promise of its end. */
async function rawSocket(harness: TestServer): Promise<{ socket: Socket; ended: Promise<string> }> {
  const socket = connect(harness.server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  const ended = new Promise<string>((resolve) => {
    socket.on('error', () => {});
    socket.once('close', () => resolve(received));
  });
  return { socket, ended };
}

const partialPost = (harness: TestServer, token: string) =>
  [
    'POST /api/conversations HTTP/1.1',
    `Host: 127.0.0.1:${harness.server.port}`,
    `Authorization: Bearer ${token}`,
    'Content-Type: application/json',
    'Content-Length: 1000',
    '',
    '{"member_ids":[',
  ].join('\r\n');

describe('SECURITY: HTTP timeouts (no request held open by a slow client)', () => {
  describe('request and headers timeouts', () => {
    let harness: TestServer;
    let alice: TestUser;
    beforeAll(async () => {
      // Silence alone would not end these sockets for a minute: only the request deadlines can.
      harness = await startTestServer({
        httpRequestTimeoutMs: 600,
        httpHeadersTimeoutMs: 300,
        httpIdleTimeoutMs: 60_000,
      });
      alice = await createUser(harness.server, 'Alice');
    });
    afterAll(() => harness.dispose());

    it('a body that never finishes: the server answers 408 and closes the connection', async () => {
      const { socket, ended } = await rawSocket(harness);
      socket.write(partialPost(harness, alice.token));
      const received = await ended;
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    });

    it('a body trickled a byte at a time still ends at the request deadline', async () => {
      const { socket, ended } = await rawSocket(harness);
      socket.write(partialPost(harness, alice.token));
      const trickle = setInterval(() => {
        if (!socket.destroyed) socket.write(' ');
      }, 50);
      try {
        expect(await ended).toMatch(/^HTTP\/1\.1 408/);
      } finally {
        clearInterval(trickle);
      }
    });

    it('headers that never finish: 408 and closed', async () => {
      const { socket, ended } = await rawSocket(harness);
      socket.write(`GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
      expect(await ended).toMatch(/^HTTP\/1\.1 408/);
    });

    it('a request in time is answered as usual', async () => {
      const response = await fetch(`${harness.server.url}/api/me`, {
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(response.status).toBe(200);
    });
  });

  describe('idle timeout', () => {
    let harness: TestServer;
    let alice: TestUser;
    beforeAll(async () => {
      harness = await startTestServer({
        httpRequestTimeoutMs: 60_000,
        httpHeadersTimeoutMs: 30_000,
        httpIdleTimeoutMs: 300,
      });
      alice = await createUser(harness.server, 'Alice');
    });
    afterAll(() => harness.dispose());

    it('a connection silent in the middle of a body is closed', async () => {
      const { socket, ended } = await rawSocket(harness);
      socket.write(partialPost(harness, alice.token));
      await ended;
      expect(socket.destroyed).toBe(true);
    });
  });

  it('headers timeout longer than the request timeout stops the start', () => {
    expect(() => resolveConfig({ httpHeadersTimeoutMs: 10_000, httpRequestTimeoutMs: 5000 })).toThrow(
      ConfigError,
    );
  });
});
