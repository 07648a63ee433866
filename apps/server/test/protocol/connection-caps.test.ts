import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectAs, createUser, type TestUser } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket } from '../support/test-socket';

/**
 * Connections are capped per remote address and per user (issue 11): one
 * source or one leaked token cannot take every slot of the process.
 */
let harness: TestServer;
let alice: TestUser;

beforeAll(async () => {
  harness = await startTestServer({ maxConnectionsPerAddress: 4, maxConnectionsPerUser: 2 });
  alice = await createUser(harness.server, 'Alice');
});
afterAll(() => harness.dispose());

/** The HTTP status of a refused upgrade, or 101 when it was accepted. */
function upgradeStatus(url: string): Promise<{ status: number; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) =>
      resolve({ status: response.statusCode ?? 0, socket }),
    );
    socket.on('error', () => undefined);
  });
}

describe('connection caps', () => {
  it('caps: past MAX_CONNECTIONS_PER_ADDRESS an upgrade from the same address gets 429; a closed one frees its slot', async () => {
    const open = await Promise.all([1, 2, 3, 4].map(() => TestSocket.open(harness.server.wsUrl)));
    const refused = await upgradeStatus(harness.server.wsUrl);
    expect(refused.status).toBe(429);
    open[0]!.close();
    await open[0]!.waitForClose();
    const accepted = await upgradeStatus(harness.server.wsUrl);
    expect(accepted.status).toBe(101);
    accepted.socket.close();
    for (const socket of open.slice(1)) socket.close();
    await Promise.all(open.slice(1).map((socket) => socket.waitForClose()));
  });

  it('caps: past MAX_CONNECTIONS_PER_USER an authenticate gets rate_limited and close 4029; the others go on', async () => {
    const first = await connectAs(harness.server, alice);
    const second = await connectAs(harness.server, alice);
    const third = await TestSocket.open(harness.server.wsUrl);
    const reply = await third.request({ type: 'authenticate', token: alice.token });
    expect(reply).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect((await third.waitForClose()).code).toBe(4029);
    expect((await first.request({ type: 'ping' })).type).toBe('pong');
    second.close();
    await second.waitForClose();
    const again = await connectAs(harness.server, alice);
    expect((await again.request({ type: 'ping' })).type).toBe('pong');
    first.close();
    again.close();
  });
});
