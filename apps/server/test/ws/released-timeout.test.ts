import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseClearedTimeout } from '../../src/ws/released-timeout';

const timerOf = (socket: Socket): unknown => {
  const key = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'timeout');
  return key === undefined ? undefined : (socket as unknown as Record<symbol, unknown>)[key];
};

describe('releaseClearedTimeout', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  async function acceptedSocket(): Promise<Socket> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const port = (server.address() as { port: number }).port;
    const client = connect(port, '127.0.0.1');
    const socket = await accepted;
    cleanups.push(() => {
      socket.destroy();
      client.destroy();
      server.close();
    });
    return socket;
  }

  it('drops the Timeout Node keeps on a socket after setTimeout(0)', async () => {
    const socket = await acceptedSocket();
    socket.setTimeout(30_000);
    socket.setTimeout(0);
    expect(timerOf(socket)).toBeTruthy(); // what this works around: Node keeps the cleared timer
    releaseClearedTimeout(socket);
    expect(timerOf(socket)).toBeNull();
  });

  it('leaves an armed timeout alone', async () => {
    const socket = await acceptedSocket();
    socket.setTimeout(30_000);
    releaseClearedTimeout(socket);
    expect(timerOf(socket)).toMatchObject({ _idleTimeout: 30_000 });
  });
});
