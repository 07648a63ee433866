import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConversation, createUser } from '../packages/client/test/support/fixtures';
import { PrivatePostgres, PrivateRedis, enginesUnavailableReason } from './support/engines';
import { computeFigures, expectClean, print, report } from './support/figures';
import { Observer } from './support/observer';
import { FaultServer } from './support/server';
import { sleep, waitFor } from './support/wait';
import { World } from './support/world';

/**
 * Three server processes on one private PostgreSQL and one private Redis (both
 * started here, on free loopback ports), clients spread over the three with
 * resume and outbox, through: kill -9 of a process, Redis stopped and
 * restarted, PostgreSQL stopped and restarted, a rolling SIGTERM restart, and
 * typing and presence of a user whose process is stopped or killed. Each
 * scenario prints the figures, whether every member converged and how long it
 * took; the data figures must be clean, the times are printed (bounds only with
 * wide margins: this runs on a loaded 2-core machine).
 */
const unavailable = enginesUnavailableReason();
if (unavailable) print(`faults[cluster]: skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)('three processes on one PostgreSQL and one Redis', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  const servers: FaultServer[] = [];
  let world: World;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    redis = await PrivateRedis.start();
    const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, LOG_LEVEL: 'error' };
    // One after the other: the first migrates, the others find nothing to do.
    for (let index = 0; index < 3; index++) servers.push(await FaultServer.start(env));
    world = await World.create(servers[0]!, {
      clients: 9,
      conversations: 6,
      wsUrls: servers.map((server) => server.wsUrl),
    });
    await world.startAll();
  }, 120_000);

  afterAll(async () => {
    await world?.dispose();
    for (const server of servers) await server.dispose();
    await redis?.dispose();
    pg?.dispose();
  });

  /** Waits for convergence and prints the figures with the time it took from `since`. */
  async function settle(name: string, since: number, extras: Record<string, string | number> = {}) {
    const storage = await world.converge(60_000);
    const convergedMs = Math.round(performance.now() - since);
    const figures = computeFigures(world, storage);
    const converged = figures.lost === 0 && figures.pending === 0;
    report(name, figures, { ...extras, converged: converged ? 'all' : 'NO', converge_ms: convergedMs });
    return { figures, storage };
  }

  /** Every server process is still the one started last: none exited by itself. */
  function expectNoCrash(): void {
    for (const server of servers) {
      expect(server.running, 'a server process is running').toBe(true);
      expect(() => process.kill(server.pid, 0), `server process ${server.pid} is alive`).not.toThrow();
    }
  }

  test('kill -9 of one process mid-storm: its clients resume on its restart, nothing lost or doubled', async () => {
    const storm = world.storm(15, 20);
    await waitFor(() => world.ackedIds().size >= world.sends.length / 3 + 20, 30_000, 5);
    await servers[1]!.kill9();
    await sleep(500);
    await servers[1]!.start();
    const restarted = performance.now();
    await storm;
    const { figures } = await settle('cluster kill-9', restarted);
    expectClean(figures);
    expectNoCrash();
  });

  test('Redis stopped and restarted: same-process delivery goes on live, every room (quiet ones too) catches up', async () => {
    const [a, b] = [world.participants[0]!, world.participants[3]!]; // both on process 0 (round robin of 3)
    await redis.stop();
    const down = performance.now();
    // A storm that ends inside the outage: every conversation goes quiet before Redis is back.
    await world.storm(8, 20);
    const local = world.send(a, world.conversationIds[0]);
    const liveLocally = await waitFor(
      () =>
        b.client.getConversation(local.conversationId).messages.some((m) => m.client_id === local.clientId),
      5000,
      10,
    );
    const readyz = await fetch(`${servers[0]!.url}/readyz`).then(
      async (r) => `${r.status}:${(await r.json()).status}`,
    );
    await sleep(Math.max(0, 4000 - (performance.now() - down)));
    await redis.start();
    const back = performance.now();
    const { figures } = await settle('cluster redis-outage', back, {
      outage_ms: Math.round(back - down),
      same_process_live: liveLocally ? 'yes' : 'NO',
      readyz_during: readyz,
    });
    expectClean(figures);
    expect(liveLocally, 'two sockets on one process exchange messages while Redis is down').toBe(true);
    expect(readyz).toBe('200:degraded');
    expectNoCrash();
  });

  test('PostgreSQL stopped and restarted: sends are refused meanwhile, retried after, no process exits', async () => {
    const storm = world.storm(15, 20);
    await waitFor(() => world.ackedIds().size >= world.sends.length / 2, 30_000, 5);
    pg.stop('immediate');
    const down = performance.now();
    const readyz = await fetch(`${servers[2]!.url}/readyz`).then(
      async (r) => `${r.status}:${(await r.json()).status}`,
    );
    await sleep(2500);
    pg.start();
    const back = performance.now();
    await storm;
    // The refused sends wait for the user's retry: this is that user.
    await waitFor(async () => (await fetch(`${servers[0]!.url}/readyz`)).status === 200, 30_000, 100);
    const retried = world.retryFailed();
    const { figures } = await settle('cluster postgres-outage', back, {
      outage_ms: Math.round(back - down),
      refused_then_retried: retried,
      readyz_during: readyz,
    });
    expectClean(figures);
    expect(readyz).toBe('503:storage_unavailable');
    expectNoCrash();
  });

  test('rolling SIGTERM restart of all three mid-storm: every exit is 0, nothing lost or doubled', async () => {
    const storm = world.storm(20, 20);
    const exits: string[] = [];
    for (const server of servers) {
      exits.push(String(await server.sigterm()));
      await server.start();
      await sleep(300);
    }
    const done = performance.now();
    await storm;
    const { figures } = await settle('cluster rolling-sigterm', done, { exits: exits.join(',') });
    expect(exits).toEqual(['0', '0', '0']);
    expectClean(figures);
    expectNoCrash();
  });

  for (const how of ['sigterm', 'kill-9'] as const) {
    test(`typing and presence of a user whose process gets ${how} end on the others, as events, and joins agree`, async () => {
      const [watcherUser, typistUser, lateUser] = await Promise.all([
        createUser(servers[0]!, `Watch-${how}`),
        createUser(servers[0]!, `Typist-${how}`),
        createUser(servers[0]!, `Late-${how}`),
      ]);
      const { id } = await createConversation(servers[0]!, watcherUser, [typistUser, lateUser]);
      const watcher = await Observer.join(servers[0]!.wsUrl, watcherUser.token, id);
      const typist = await Observer.join(servers[2]!.wsUrl, typistUser.token, id);
      const isTypist = (f: Record<string, unknown>) => f.user_id === typistUser.id;
      const online = await watcher.next((f) => f.type === 'presence' && isTypist(f) && f.online === true);
      typist.send({ type: 'typing', conversation_id: id, is_typing: true });
      const typing = await watcher.next((f) => f.type === 'typing' && isTypist(f) && f.is_typing === true);
      // The user keeps typing until the process goes (refreshes well inside the 6 s timeout).
      const refresh = setInterval(
        () => typist.send({ type: 'typing', conversation_id: id, is_typing: true }),
        1000,
      );
      await sleep(2500);
      clearInterval(refresh);

      const stoppedAt = performance.now();
      const exit = how === 'sigterm' ? await servers[2]!.sigterm() : (await servers[2]!.kill9(), 'SIGKILL');
      const typingEnded = await watcher.next(
        (f) => f.type === 'typing' && isTypist(f) && f.is_typing === false,
        15_000,
        stoppedAt,
      );
      // Before the offline event a fresh join must still list the user online, after it offline.
      const earlyJoin = await Observer.join(servers[1]!.wsUrl, lateUser.token, id);
      const earlyOnline = Observer.onlineIn(
        earlyJoin.frames.find((s) => s.frame.type === 'joined') ?? null,
      ).get(typistUser.id);
      const earlyOfflineSeen = watcher.frames.some(
        (s) =>
          s.at >= stoppedAt &&
          s.frame.type === 'presence' &&
          isTypist(s.frame) &&
          s.frame.online === false &&
          s.at <= earlyJoin.frames[0]!.at,
      );
      const offline = await watcher.next(
        (f) => f.type === 'presence' && isTypist(f) && f.online === false,
        40_000,
        stoppedAt,
      );
      earlyJoin.close();
      const lateJoin = await Observer.join(servers[1]!.wsUrl, lateUser.token, id);
      const lateOnline = Observer.onlineIn(
        lateJoin.frames.find((s) => s.frame.type === 'joined') ?? null,
      ).get(typistUser.id);
      const ms = (seen: { at: number } | null) => (seen ? String(Math.round(seen.at - stoppedAt)) : 'never');
      print(
        `faults[cluster ${how} typing-presence]: exit=${String(exit)} typing_end_ms=${ms(typingEnded)} presence_offline_ms=${ms(offline)} ` +
          `join_before_offline_event=${earlyOnline ? 'online' : 'offline'}${earlyOfflineSeen ? '(event already out)' : ''} join_after=${lateOnline ? 'online' : 'offline'}`,
      );
      watcher.close();
      lateJoin.close();
      typist.close();
      await servers[2]!.start();

      expect(online && typing, 'the watcher saw the typist online and typing').toBeTruthy();
      expect(typingEnded, 'typing ended on the other process').not.toBeNull();
      expect(offline, 'presence ended on the other process').not.toBeNull();
      expect(lateOnline, 'a join after the offline event lists the user offline').toBe(false);
      if (!earlyOfflineSeen)
        expect(earlyOnline, 'a join before the offline event lists the user online').toBe(true);
      if (how === 'sigterm') expect(exit).toBe(0);
      expectNoCrash();
    });
  }
});
