import { randomUUID } from 'node:crypto';
import { startChatServer, type ChatServerProcess } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { int, latencyCells, mib, ms, table, type ScenarioReport } from '../format';
import { LatencyRecorder } from '../latency';
import { DeliveryLedger, ledgerFailures } from '../ledger';
import { sleep } from '../pacing';
import { readRssBytes } from '../proc-stats';
import { createGroups, mapLimit, provisionUsers } from '../provision';
import { RawClient } from '../raw-client';
import { mintUsers, type BenchUser } from '../tokens';

/** Lets the server finish what the last step started before its RSS is read. */
const SETTLE_MS = 1000;

interface Liveness {
  delivered: number;
  expected: number;
  totalMs: number;
  p50: number;
  p99: number;
}

/**
 * Scenario 3: connection capacity. Opens N authenticated sockets, each joined to
 * a conversation of `groupSize`: time to connect + authenticate + join, and the
 * server's RSS per connection. Users and conversations are created by a first
 * server process over REST; a second, fresh process on the same database takes
 * the sockets, so its RSS growth is the sockets' and not the provisioning's
 * garbage. Then one message in every conversation, twice, checks every socket is live.
 */
export async function runConnections({ repoRoot, options, failures }: BenchContext): Promise<ScenarioReport> {
  const { groupSize } = options;
  const count = Math.max(groupSize, Math.round(options.connections / groupSize) * groupSize);

  const provisioner = await startChatServer(repoRoot);
  let users: BenchUser[];
  let conversationIds: string[];
  try {
    users = await mintUsers(provisioner.jwtSecret, count, 'capacity');
    await provisionUsers(provisioner.url, users);
    conversationIds = await createGroups(provisioner.url, users, groupSize);
  } catch (error) {
    await provisioner.dispose();
    throw error;
  }
  failures.push(...serverFailures('connections (provisioning)', provisioner, await provisioner.stop()));

  let server: ChatServerProcess;
  try {
    server = await startChatServer(repoRoot, { reuse: provisioner, cpuProfDir: options.cpuProfDir });
  } catch (error) {
    await provisioner.dispose();
    throw error;
  }
  const clients: RawClient[] = [];
  let markdown = '';
  try {
    await sleep(SETTLE_MS);
    const rssBefore = readRssBytes(server.pid);

    let ledger = new DeliveryLedger();
    const handshake = new LatencyRecorder();
    let refused = 0;
    const start = performance.now();
    await mapLimit(users, options.connectConcurrency, async (user, index) => {
      const opened = performance.now();
      try {
        const client = await RawClient.open(server.wsUrl);
        await client.authenticateAndJoin(user.token, conversationIds[index] as string);
        handshake.record(performance.now() - opened);
        client.onFrame = (frame, at) => {
          if (frame.type === 'message') ledger.delivery(frame.message.client_id ?? '', index, at);
          else if (frame.type === 'message_ack') ledger.ack(frame.client_id, at);
          else if (frame.type === 'error') ledger.error(frame.code);
        };
        clients[index] = client;
      } catch (error) {
        if (refused++ === 0) console.error(`  connection ${index} failed: ${String(error)}`);
      }
    });
    const connectSec = (performance.now() - start) / 1000;
    await sleep(SETTLE_MS);
    const rssAfter = readRssBytes(server.pid);
    const connected = clients.filter((client) => client !== undefined).length;
    if (refused > 0) {
      failures.push(`connections: ${refused} of ${count} sockets failed to connect, authenticate or join`);
    }
    const perConnection = (rssAfter - rssBefore) / Math.max(1, connected);
    const latency = handshake.summary();
    console.log(
      `  ${connected}/${count} sockets connected+authenticated+joined in ${connectSec.toFixed(2)} s ` +
        `(${int(connected / connectSec)}/s, ${options.connectConcurrency} at a time; each p50 ${ms(latency.p50)} ` +
        `p99 ${ms(latency.p99)} ms); server RSS ${mib(rssBefore)} → ${mib(rssAfter)}, ` +
        `${(perConnection / 1024).toFixed(1)} KiB per connection`,
    );

    // Every socket live: the first member of each conversation sends one message.
    const checkLiveness = async (round: string): Promise<Liveness> => {
      ledger = new DeliveryLedger();
      const roundStart = performance.now();
      for (let index = 0; index < count; index += groupSize) {
        const client = clients[index];
        if (!client) continue;
        const clientId = randomUUID();
        ledger.sent(clientId, index, groupSize);
        client.send({
          type: 'send_message',
          conversation_id: conversationIds[index] as string,
          client_id: clientId,
          body: 'x'.repeat(options.bodyLength),
        });
      }
      await ledger.drain(15_000);
      const counts = ledger.counts();
      failures.push(...ledgerFailures(`connections liveness (${round})`, counts));
      const e2e = ledger.endToEnd.summary();
      const result = {
        delivered: counts.delivered,
        expected: counts.expectedDeliveries,
        totalMs: ledger.lastArrival - roundStart,
        p50: e2e.p50,
        p99: e2e.p99,
      };
      console.log(
        `  one message per conversation (${round}): ${result.delivered}/${result.expected} delivered in ` +
          `${ms(result.totalMs)} ms (e2e p50 ${ms(result.p50)} p99 ${ms(result.p99)} ms)`,
      );
      return result;
    };
    const cold = await checkLiveness('first sends of the process');
    await sleep(200);
    const warm = await checkLiveness('again');

    const closeStart = performance.now();
    await Promise.all(clients.map((client) => client.close()));
    const closeSec = (performance.now() - closeStart) / 1000;
    await sleep(SETTLE_MS);
    const rssClosed = readRssBytes(server.pid);
    console.log(`  closed all in ${closeSec.toFixed(2)} s; server RSS after ${mib(rssClosed)}`);

    const livenessRow = (round: string, result: Liveness) => [
      round,
      `${int(result.delivered)} of ${int(result.expected)}`,
      ms(result.totalMs),
      ms(result.p50),
      ms(result.p99),
    ];
    markdown = [
      table(
        ['Sockets', 'Connect + auth + join', 'Per second', 'Each: p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          [
            `${int(connected)} of ${int(count)}`,
            `${connectSec.toFixed(2)} s (${options.connectConcurrency} in flight)`,
            int(connected / connectSec),
            ...latencyCells(latency),
          ],
        ],
      ),
      '',
      table(
        ['Server RSS idle', 'With all sockets', 'Per connection', 'After all closed'],
        [[mib(rssBefore), mib(rssAfter), `${(perConnection / 1024).toFixed(1)} KiB`, mib(rssClosed)]],
      ),
      '',
      `With every socket open, one message in each of the ${int(count / groupSize)} conversations at once:`,
      '',
      table(
        ['Round', 'Copies delivered', 'All delivered after ms', 'e2e p50 ms', 'e2e p99 ms'],
        [livenessRow('first sends of the process', cold), livenessRow('again', warm)],
      ),
    ].join('\n');
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    failures.push(...serverFailures('connections', server, await server.dispose()));
  }
  return {
    title: `3. Connection capacity (${int(count)} sockets, conversations of ${groupSize})`,
    markdown,
  };
}
