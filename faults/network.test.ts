import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { computeFigures, expectClean, report } from './support/figures';
import { Random } from '@chat/testkit';
import { FaultServer } from './support/server';
import { waitFor } from './support/wait';
import { World } from './support/world';

/**
 * Scenario 3: a loopback TCP proxy between the clients and the server. First it
 * black-holes every connection (half-open: nothing moves, no close reaches
 * either end); then one adds latency and cuts connections at random. Clients
 * must notice within their heartbeat window, the server must reap what it
 * holds, and everyone must recover and converge.
 */
const SERVER_HEARTBEAT_MS = 1000;
const CLIENT_HEARTBEAT = { intervalMs: 1000, timeoutMs: 1000 };
/** The most a dead socket can go unnoticed by a client: a ping's interval plus its timeout. */
const CLIENT_WINDOW_MS = CLIENT_HEARTBEAT.intervalMs + CLIENT_HEARTBEAT.timeoutMs;
/** Slack on a loaded 2-core CI machine; the figure printed is the one to watch. */
const SLACK_MS = 2000;

let server: FaultServer;

beforeAll(async () => {
  server = await FaultServer.start({ HEARTBEAT_INTERVAL_MS: String(SERVER_HEARTBEAT_MS) });
});

afterAll(async () => {
  await server?.dispose();
});

describe('network faults', () => {
  test('black hole (half-open): clients notice within the heartbeat window, the server reaps, all converge', async () => {
    const world = await World.create(server, {
      clients: 8,
      conversations: 4,
      proxy: 'shared',
      heartbeat: CLIENT_HEARTBEAT,
      random: new Random(3),
    });
    try {
      await world.startAll();
      const proxy = world.proxies[0]!;
      const noticed = new Map<number, number>();
      let holeAt = 0;
      for (const p of world.participants) {
        p.client.on('status', (status) => {
          if (holeAt > 0 && status !== 'open' && !noticed.has(p.index))
            noticed.set(p.index, performance.now() - holeAt);
        });
      }

      const storm = world.storm(25, 40);
      await waitFor(() => world.ackedIds().size >= 60, 30_000, 5);
      holeAt = performance.now();
      const holed = proxy.blackHole();
      const allNoticed = await waitFor(() => noticed.size === world.participants.length, 20_000, 10);
      const reaped = await waitFor(() => proxy.halfOpenAtServer === 0, 20_000, 20);
      const reapedMs = performance.now() - holeAt;
      await storm;
      const storage = await world.converge();
      const connections = await server.metric('chat_connections', { state: 'authenticated' });
      const figures = computeFigures(world, storage);
      const slowest = Math.max(...noticed.values());
      report('black-hole', figures, {
        connections_holed: holed,
        noticed: `${noticed.size}/${world.participants.length}`,
        noticed_max_ms: Math.round(slowest),
        client_window_ms: CLIENT_WINDOW_MS,
        server_reaped_ms: Math.round(reapedMs),
        server_window_ms: 2 * SERVER_HEARTBEAT_MS,
        server_connections_after: connections,
      });

      expect(holed).toBe(world.participants.length);
      expect(allNoticed, 'every client noticed the dead connection').toBe(true);
      expect(slowest).toBeLessThan(CLIENT_WINDOW_MS + SLACK_MS);
      expect(reaped, 'the server terminated every half-open connection').toBe(true);
      expect(connections).toBe(world.participants.length);
      expect(figures.stored).toBe(200);
      expectClean(figures);
    } finally {
      await world.dispose();
    }
  });

  test('latency and random cuts: every client recovers and converges', async () => {
    const world = await World.create(server, {
      clients: 8,
      conversations: 4,
      proxy: 'shared',
      heartbeat: CLIENT_HEARTBEAT,
      random: new Random(4),
    });
    try {
      await world.startAll();
      const proxy = world.proxies[0]!;
      proxy.setLatency(20, 150);
      proxy.startCutting(100, 400);
      // Sends keep coming for the whole time the network misbehaves (~3 s).
      await world.storm(30, 100);
      proxy.stopCutting();
      proxy.setLatency(0, 0);
      const storage = await world.converge();
      const figures = computeFigures(world, storage);
      const reconnects = world.participants.reduce((sum, p) => sum + p.tap.sockets - 1, 0);
      report('latency-cuts', figures, {
        latency_ms: '20-150',
        cuts: proxy.cuts,
        reconnects,
      });

      expect(proxy.cuts).toBeGreaterThan(3);
      expect(figures.stored).toBe(240);
      expectClean(figures);
    } finally {
      await world.dispose();
    }
  });
});
