import { afterAll, beforeAll, expect, test } from 'vitest';
import { computeFigures, expectClean, report } from './support/figures';
import { FaultServer } from './support/server';
import { waitFor } from './support/wait';
import { World } from './support/world';

/**
 * Scenario 2: SIGTERM during a storm (a deploy). The server stops accepting,
 * answers the sends it already has, closes every socket with 1001 and exits 0;
 * the clients reconnect to the restarted server on the same port, resume, and
 * re-send what was not acked: nothing lost, nothing doubled.
 */
let server: FaultServer;
let world: World;

beforeAll(async () => {
  server = await FaultServer.start();
  world = await World.create(server, { clients: 20, conversations: 10 });
  await world.startAll();
});

afterAll(async () => {
  await world?.dispose();
  await server?.dispose();
});

test('SIGTERM mid-storm: every client gets 1001, reconnects to the restarted server, nothing lost or doubled', async () => {
  const storm = world.storm(20, 15);
  await waitFor(() => world.ackedIds().size >= 120, 30_000, 2);
  const exitCode = await server.sigterm();
  const ackedAtStop = world.ackedIds().size;
  const sentAtStop = world.sends.length;
  const got1001 = world.participants.filter((p) => p.tap.closeCodes.includes(1001)).length;

  await server.start();
  await storm;
  const storage = await world.converge();
  const figures = computeFigures(world, storage);
  report('sigterm', figures, {
    exit_code: String(exitCode),
    closed_1001: `${got1001}/${world.participants.length}`,
    acked_at_stop: ackedAtStop,
    unacked_at_stop: sentAtStop - ackedAtStop,
    sent_while_down: world.sends.length - sentAtStop,
    reconnected: world.participants.filter((p) => p.tap.sockets > 1).length,
  });

  expect(exitCode).toBe(0);
  expect(got1001, 'clients closed with 1001').toBe(world.participants.length);
  expect(figures.sent).toBe(400);
  expect(figures.stored).toBe(400);
  expect(figures.delivered).toBe('20x400');
  expectClean(figures);
});
