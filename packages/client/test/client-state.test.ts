import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { PageVisibility } from '../src/index';
import { Clients, recordingWebSocket } from './support/clients';
import { startServer } from './support/chat-server';
import type { TestServer } from './support/chat-server';
import { createUser, until } from './support/fixtures';

let server: TestServer;
const clients = new Clients();

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => clients.stopAll());
afterAll(async () => {
  await server.dispose();
});

/** A page whose visibility the test sets, like `document.visibilityState` + `visibilitychange`. */
function fakePage(visible: boolean) {
  const listeners = new Set<(visible: boolean) => void>();
  const page: PageVisibility & { set(visible: boolean): void; readonly watchers: number } = {
    isVisible: () => visible,
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      visible = next;
      for (const listener of listeners) listener(next);
    },
    get watchers() {
      return listeners.size;
    },
  };
  return page;
}

function states(sent: Array<Record<string, unknown>>): unknown[] {
  return sent.filter((frame) => frame.type === 'client_state').map((frame) => frame.visible);
}

describe('client_state {visible} (section 13)', () => {
  test('sent after authenticating, then on each change of the page, never twice the same', async () => {
    const alice = await createUser(server.server, 'Alice');
    const page = fakePage(false);
    const recording = recordingWebSocket();
    const client = clients.make(server, alice, { WebSocket: recording.WebSocket, pageVisibility: page });
    client.start();
    await until(() => client.status === 'open', 'open');
    await until(() => states(recording.sent).length === 1, 'the first client_state');
    const types = recording.sent.map((frame) => frame.type);
    expect(types.indexOf('client_state')).toBeGreaterThan(types.indexOf('authenticate'));
    expect(states(recording.sent)).toEqual([false]);

    page.set(true);
    page.set(true);
    page.set(false);
    expect(states(recording.sent)).toEqual([false, true, false]);
  });

  test('sent again on every reconnection; stop() stops watching the page', async () => {
    const alice = await createUser(server.server, 'Alice');
    const page = fakePage(true);
    const recording = recordingWebSocket();
    const client = clients.make(server, alice, { WebSocket: recording.WebSocket, pageVisibility: page });
    client.start();
    await until(() => states(recording.sent).length === 1, 'the first client_state');
    page.set(false);
    recording.sockets[0]?.terminate();
    await until(() => recording.sockets.length === 2 && client.status === 'open', 'reconnected');
    await until(() => states(recording.sent).length === 3, 'client_state on the new socket');
    expect(states(recording.sent)).toEqual([true, false, false]);
    client.stop();
    expect(page.watchers).toBe(0);
  });

  test('nothing is sent without a page (Node): the connection counts as visible', async () => {
    const alice = await createUser(server.server, 'Alice');
    const recording = recordingWebSocket();
    const client = clients.make(server, alice, { WebSocket: recording.WebSocket });
    client.start();
    await until(() => client.status === 'open', 'open');
    expect(states(recording.sent)).toEqual([]);
  });
});
