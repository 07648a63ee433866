import { afterAll, beforeAll, expect, test } from 'vitest';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createConversation } from '../packages/client/test/support/fixtures';
import { ChaosProxy } from './support/chaos-proxy';
import { computeFigures, expectClean, percentile, print, report } from './support/figures';
import { Random } from '@chat/testkit';
import { FaultServer } from './support/server';
import { sleep, waitFor } from './support/wait';
import { World } from './support/world';
import type { Participant } from './support/world';

/**
 * Scenario 4: a consumer that stops reading. It sits in the busy conversation
 * and, not reading a byte, keeps asking for history: each `join_conversation`
 * without since_seq is answered with the newest 50 messages of 4000 "€" (about
 * 600 KB a reply), hundreds of times, round after round: far more than the
 * memory bound below if the server buffered it. The server must close it with
 * 1013 and keep its memory bounded, while the other clients' acks stay fast.
 */
const TALKERS = 6;
const ROUNDS = 3;
const JOINS_PER_ROUND = 300;
/** What the server's RSS may grow by under the attack (it would be GBs without backpressure). */
const RSS_GROWTH_BOUND_MB = 150;
/** A very generous bound on the other clients' p99 ack latency under attack. */
const P99_BOUND_MS = 2000;

let server: FaultServer;
let world: World;
let talkers: Participant[];
let attacker: Participant;
let historyId: string;

beforeAll(async () => {
  server = await FaultServer.start();
  // Participants 0-5 talk; participant 6 is a member of everything but its
  // ChatClient is never started: the slow consumer speaks for it.
  world = await World.create(server, { clients: TALKERS + 1, conversations: 1, random: new Random(7) });
  talkers = world.participants.slice(0, TALKERS);
  attacker = world.participants[TALKERS]!;
  for (const p of talkers) p.start(world.conversationIds);
  await waitFor(() => talkers.every((p) => world.isJoined(p)), 30_000);
  // A history of big messages for the slow consumer to ask for.
  historyId = (await createConversation(server, attacker.user, [talkers[0]!.user])).id;
  for (let index = 0; index < 50; index++) talkers[0]!.client.send(historyId, '€'.repeat(4000));
  await waitFor(() => talkers[0]!.client.getConversation(historyId).pending.length === 0, 30_000);
});

afterAll(async () => {
  await world?.dispose();
  await server?.dispose();
});

/**
 * One round: a raw socket through a proxy authenticates and joins, then the
 * proxy stops reading from the server and the socket asks for history again
 * and again until the server closes it. It parses nothing after that (so the
 * backlog costs this process little), and resolves with the close code it
 * reads once the proxy reads again.
 */
async function attack(): Promise<{ closeCode: number; requestedBytes: number }> {
  const proxy = await ChaosProxy.start(server.tcpPort);
  const socket = new WebSocket(proxy.url, { skipUTF8Validation: true });
  try {
    const replies = new Map<string, (bytes: number) => void>();
    let parsing = true;
    socket.on('message', (data: Buffer) => {
      if (!parsing) return;
      const frame = JSON.parse(data.toString()) as { ref?: string; type: string };
      if (frame.ref !== undefined) replies.get(frame.ref)?.(data.length);
    });
    socket.on('error', () => {});
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await once(socket, 'open');
    let refs = 0;
    const request = (frame: Record<string, unknown>) =>
      new Promise<number>((resolve) => {
        const ref = `a${++refs}`;
        replies.set(ref, resolve);
        socket.send(JSON.stringify({ ...frame, ref }));
      });
    await request({ type: 'authenticate', token: attacker.user.token });
    await request({ type: 'join_conversation', conversation_id: world.conversationIds[0] });
    const replyBytes = await request({ type: 'join_conversation', conversation_id: historyId });
    parsing = false;

    const closesBefore = await server.metric('chat_server_closes_total', { code: '1013' });
    proxy.stall();
    const join = JSON.stringify({ type: 'join_conversation', conversation_id: historyId });
    for (let index = 0; index < JOINS_PER_ROUND; index++) socket.send(join);
    const wasClosed = await waitFor(
      async () => (await server.metric('chat_server_closes_total', { code: '1013' })) > closesBefore,
      30_000,
      50,
    );
    if (!wasClosed) throw new Error('the slow consumer was not closed with 1013');
    // Read again: what the server had buffered comes through, then its close frame.
    proxy.unstall();
    return { closeCode: await closed, requestedBytes: JOINS_PER_ROUND * replyBytes };
  } finally {
    socket.terminate();
    await proxy.close();
  }
}

test('a consumer that stops reading is closed with 1013; memory stays bounded; others are unaffected', async () => {
  // Warm up (JIT, caches), then measure the other clients without the slow consumer.
  await world.storm(10, 50, talkers);
  await world.converge(30_000, talkers);
  const baselineStart = world.sends.length;
  await world.storm(40, 50, talkers);
  await world.converge(30_000, talkers);
  const baseline = world.ackLatencies(world.sends.slice(baselineStart));

  // The same load again, with the slow consumer attacking meanwhile.
  const rssBefore = server.rssMb();
  let rssPeak = rssBefore;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rssPeak = Math.max(rssPeak, server.rssMb());
      await sleep(50);
    }
  })();
  const attackStart = world.sends.length;
  // The same 40 messages per talker as the baseline; the slow consumer attacks
  // round after round for as long as they take (at least ROUNDS rounds).
  let talking = true;
  const rounds: Array<{ closeCode: number; requestedBytes: number }> = [];
  const attacks = (async () => {
    while (talking || rounds.length < ROUNDS) rounds.push(await attack());
  })();
  await world.storm(40, 50, talkers);
  talking = false;
  await attacks;
  sampling = false;
  await sampler;
  const storage = await world.converge(60_000, talkers);
  const underAttack = world.ackLatencies(world.sends.slice(attackStart));
  const closes1013 = await server.metric('chat_server_closes_total', { code: '1013' });

  const figures = computeFigures(world, storage, talkers);
  const requestedMb = rounds.reduce((sum, round) => sum + round.requestedBytes, 0) / 2 ** 20;
  const ms = (value: number) => Math.round(value);
  report('slow-consumer', figures, {
    rounds: rounds.length,
    closes_1013: closes1013,
    closed_with_1013_seen_by_it: rounds.filter((round) => round.closeCode === 1013).length,
    requested_mb: Math.round(requestedMb),
    rss_before_mb: Math.round(rssBefore),
    rss_peak_mb: Math.round(rssPeak),
  });
  print(
    `faults[slow-consumer]: ack latency of the ${TALKERS} other clients: ` +
      `without p50=${ms(percentile(baseline, 50))}ms p99=${ms(percentile(baseline, 99))}ms (n=${baseline.length}), ` +
      `under attack p50=${ms(percentile(underAttack, 50))}ms p99=${ms(percentile(underAttack, 99))}ms (n=${underAttack.length})`,
  );

  expect(rounds.length).toBeGreaterThanOrEqual(ROUNDS);
  expect(rounds.map((round) => round.closeCode)).toEqual(Array(rounds.length).fill(1013));
  expect(closes1013).toBe(rounds.length);
  expect(requestedMb).toBeGreaterThan(3 * RSS_GROWTH_BOUND_MB);
  expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_BOUND_MB);
  expect(underAttack.length).toBe(world.sends.length - attackStart);
  expect(percentile(underAttack, 99)).toBeLessThan(P99_BOUND_MS);
  expectClean(figures);
});
