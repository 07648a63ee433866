import { afterAll, beforeAll, expect, test } from 'vitest';
import { computeFigures, expectClean, report } from './support/figures';
import { FaultServer } from './support/server';
import { readDatabase } from './support/storage';
import { waitFor } from './support/wait';
import { World } from './support/world';

/**
 * Scenario 1: kill -9 of the server in the middle of a send storm (20 clients,
 * 10 conversations), restart on the same data and port. Every message acked
 * before the crash must be in the database the crashed process left behind;
 * every un-acked one must be re-sent from the outbox and land exactly once;
 * every client must converge to storage's history.
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

test('kill -9 mid-storm: acked messages survive the crash, the outbox re-sends the rest exactly once', async () => {
  const storm = world.storm(20, 15);
  // Crash once a good part of the storm is acked and the rest is still coming.
  await waitFor(() => world.ackedIds().size >= 120, 30_000, 2);
  // Frozen first, the server can ack nothing more: one send from every client then
  // is certainly in flight at the crash. (Without it a fast server could ack the
  // whole storm before this busy test process saw 120 acks: nothing in flight.)
  server.freeze();
  for (const participant of world.participants) world.send(participant);
  await server.kill9();
  const ackedAtCrash = world.ackedIds();
  const sentAtCrash = world.sends.map((send) => send.clientId);
  const inFlight = [...world.writtenIds()].filter((id) => !ackedAtCrash.has(id));

  // What the crashed process left on disk: every acked message must be in it.
  const survived = new Set(readDatabase(server.dbPath).map((message) => message.client_id));
  const ackedButGone = [...ackedAtCrash].filter((id) => !survived.has(id));
  const unacked = sentAtCrash.filter((id) => !ackedAtCrash.has(id));

  await server.start();
  await storm;
  const storage = await world.converge();
  const figures = computeFigures(world, storage);
  const resentIds = world.writtenIds(2);
  report('kill-9', figures, {
    acked_at_crash: ackedAtCrash.size,
    on_disk_at_crash: survived.size,
    acked_but_gone: ackedButGone.length,
    unacked_at_crash: unacked.length,
    in_flight_at_crash: inFlight.length,
    in_flight_committed: inFlight.filter((id) => survived.has(id)).length,
    sent_while_down: world.sends.length - sentAtCrash.length,
    resent: resentIds.size,
  });

  expect(ackedButGone, 'acked before the crash but not on disk after it').toEqual([]);
  expect(inFlight.length, 'the crash hit sends in flight').toBeGreaterThan(0);
  expect(
    inFlight.filter((id) => !resentIds.has(id)),
    'in flight at the crash, not re-sent',
  ).toEqual([]);
  expect(figures.sent).toBe(420);
  expect(figures.stored).toBe(420);
  expect(figures.delivered).toBe('20x420');
  expectClean(figures);
});
