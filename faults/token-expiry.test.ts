import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signToken } from '../packages/client/test/support/tokens';
import { computeFigures, expectClean, print, report } from './support/figures';
import { Random } from '@chat/testkit';
import { FaultServer } from './support/server';
import { waitFor } from './support/wait';
import { World } from './support/world';

/**
 * Scenario 5: access tokens that expire while connected. With a working
 * refresh the client re-authenticates on the open socket before `exp` and the
 * user never sees a disconnect; a refresh the server refuses (or a sign-out)
 * ends in status `closed` with a clear reason, not a reconnect loop, and the
 * sends typed meanwhile wait in the outbox until the user signs in again.
 */
const TOKEN_LIFE_SEC = 4;
/** Long enough for the first tokens to be well past their exp (plus the server's grace). */
const RUN_MS = 9000;
const WRONG_SECRET = 'not-the-server-secret-but-long-enough-for-hs256';

let server: FaultServer;

beforeAll(async () => {
  server = await FaultServer.start();
});

afterAll(async () => {
  await server?.dispose();
});

describe('token expiry while connected', () => {
  test('short-lived tokens are refreshed on the open socket: no disconnect, nothing lost', async () => {
    const minted = [0, 0, 0, 0];
    const world = await World.create(server, {
      clients: 4,
      conversations: 2,
      random: new Random(5),
      tokens: (user, index) => async () => {
        minted[index]!++;
        return signToken(user, TOKEN_LIFE_SEC);
      },
    });
    try {
      const refreshes = [0, 0, 0, 0];
      for (const p of world.participants) p.client.on('authenticated', () => refreshes[p.index]!++);
      const closes4001 = await server.metric('chat_server_closes_total', { code: '4001' });
      await world.startAll();
      await world.storm(Math.round(RUN_MS / 200), 200);
      const storage = await world.converge();
      const figures = computeFigures(world, storage);
      const expired4001 = (await server.metric('chat_server_closes_total', { code: '4001' })) - closes4001;
      const disconnects = world.participants.reduce(
        (sum, p) => sum + p.statuses.filter((s) => s !== 'open').length,
        0,
      );
      report('token-refresh', figures, {
        token_life_s: TOKEN_LIFE_SEC,
        tokens_minted: minted.join('/'),
        refreshes: refreshes.map((count) => count - 1).join('/'),
        disconnects,
        sockets: world.participants.map((p) => p.tap.sockets).join('/'),
        server_closes_4001: expired4001,
      });

      for (const p of world.participants) {
        expect(p.statuses, `client ${p.index} statuses`).toEqual(['open']);
        expect(p.tap.sockets, `client ${p.index} sockets`).toBe(1);
        expect(refreshes[p.index], `client ${p.index} authentications`).toBeGreaterThanOrEqual(4);
      }
      expect(expired4001).toBe(0);
      expectClean(figures);
    } finally {
      await world.dispose();
    }
  });

  test('a refused refresh or a sign-out ends in `closed` with a reason, no reconnect loop, nothing lost', async () => {
    // Client 0's refresh yields a token the server refuses; client 1's yields none (signed out).
    let broken = false;
    const calls = [0, 0];
    const world = await World.create(server, {
      clients: 2,
      conversations: 1,
      random: new Random(6),
      tokens: (user, index) => async () => {
        calls[index]!++;
        if (!broken) return signToken(user, TOKEN_LIFE_SEC);
        return index === 0 ? signToken(user, 3600, WRONG_SECRET) : null;
      },
    });
    try {
      await world.startAll();
      broken = true;
      await world.storm(5, 50);
      const closed = await waitFor(
        () => world.participants.every((p) => p.client.status === 'closed'),
        TOKEN_LIFE_SEC * 1000 + 5000,
      );
      // Typed after the session ended: kept in the outbox.
      await world.storm(3, 10);
      const callsAtClose = [...calls];
      const socketsAtClose = world.participants.map((p) => p.tap.sockets);
      // No timer left and no socket open: nothing can wake a closed client, so it stays closed.
      const timersWhileClosed = world.participants.map((p) => p.clock.pending);
      const reasons = world.participants.map((p) => p.client.closeReason ?? '');
      const stillClosed = world.participants.every((p) => p.client.status === 'closed');
      const callsWhileClosed = calls.map((count, index) => count - callsAtClose[index]!);
      const pendingWhileClosed = world.participants.reduce(
        (sum, p) => sum + p.client.getConversation(world.conversationIds[0]!).pending.length,
        0,
      );

      // The user signs in again: the same client starts, the outbox drains.
      broken = false;
      for (const p of world.participants) p.client.start();
      const storage = await world.converge();
      const figures = computeFigures(world, storage);
      report('token-refresh-refused', figures, {
        statuses: world.participants.map((p) => p.statuses.join('>')).join(' | '),
        token_calls_while_closed: callsWhileClosed.join('/'),
        pending_while_closed: pendingWhileClosed,
      });
      for (const [index, reason] of reasons.entries()) print(`  client ${index} closeReason: ${reason}`);

      expect(closed, 'both clients reached closed').toBe(true);
      expect(stillClosed, 'and stayed closed').toBe(true);
      expect(timersWhileClosed, 'with no timer left to reopen it').toEqual([0, 0]);
      expect(reasons[0]).toMatch(/refused the access token/);
      expect(reasons[1]).toMatch(/signed out/);
      expect(socketsAtClose).toEqual([1, 1]);
      expect(callsWhileClosed).toEqual([0, 0]);
      expect(world.participants.map((p) => p.statuses.includes('reconnecting'))).toEqual([false, false]);
      expect(pendingWhileClosed).toBe(6);
      expectClean(figures);
    } finally {
      await world.dispose();
    }
  });
});
