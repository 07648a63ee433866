import { randomBytes, randomUUID } from 'node:crypto';
import { redisUnavailableReason, TEST_REDIS_URL } from '@chat/testkit';
import { startChatServer, type ChatServerProcess } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { FanOutLoad, type Member } from '../fan-out-load';
import { int, latencyCells, table, type ScenarioReport } from '../format';
import { ledgerFailures } from '../ledger';
import { createGroups, provisionUsers } from '../provision';
import { mintUsers } from '../tokens';
import { postgresEngine } from './search';

/**
 * Scenario 6: the same fan-out load against 1, 2 and 3 server processes on one
 * machine, all on one PostgreSQL database and one Redis (docs/scaling.md). The
 * sockets are spread round-robin over the processes, so most conversations
 * have members on several of them and every message crosses Redis.
 */
export async function runScaling(ctx: BenchContext): Promise<ScenarioReport> {
  const { options, failures, repoRoot } = ctx;
  const title = `6. Several processes (${options.scalingProcesses.join(', ')}) on PostgreSQL and Redis`;
  const problem = await redisUnavailableReason();
  if (problem) {
    console.warn(`  scaling skipped: ${problem}`);
    return { title, markdown: `Skipped: ${problem}.` };
  }
  const rows: string[][] = [];
  for (const processes of options.scalingProcesses) {
    const engine = await postgresEngine();
    if (!engine?.databaseUrl) {
      return { title, markdown: 'Skipped: the test PostgreSQL was not reachable.' };
    }
    const jwtSecret = randomBytes(32).toString('base64url');
    const redis = { url: TEST_REDIS_URL, prefix: `bench-${randomUUID().slice(0, 8)}:` };
    const servers: ChatServerProcess[] = [];
    let load: FanOutLoad | null = null;
    try {
      // One at a time: the first migrates the schema, the others find it done.
      for (let i = 0; i < processes; i++) {
        servers.push(await startChatServer(repoRoot, { databaseUrl: engine.databaseUrl, redis, jwtSecret }));
      }
      const first = servers[0]!;
      const users = await mintUsers(jwtSecret, options.fanoutConnections, 'scaling');
      await provisionUsers(first.url, users);
      const conversationIds = await createGroups(first.url, users, options.groupSize);
      const members: Member[] = users.map((user, index) => ({
        token: user.token,
        conversationId: conversationIds[index] as string,
      }));
      load = await FanOutLoad.connect((index) => servers[index % processes]!.wsUrl, members, first.pid, {
        concurrency: options.connectConcurrency,
        bodyLength: options.bodyLength,
      });
      const rates = options.fanoutRates;
      await load.run(rates[0] ?? 1, options.warmupSec);
      for (const rate of rates) {
        const result = await load.run(rate, options.durationSec);
        const label = `${processes} process${processes > 1 ? 'es' : ''} @ ${rate}/s per socket`;
        failures.push(...ledgerFailures(`scaling ${label}`, result.counts));
        const { counts } = result;
        const lost = counts.lostAcks + counts.lostDeliveries;
        const doubled = counts.doubledAcks + counts.doubledDeliveries;
        const reordered = counts.orderViolations;
        console.log(
          `  ${label}: ${int(result.deliveredPerSec)} deliveries/s, e2e p50 ${result.endToEnd.p50.toFixed(1)} ` +
            `p99 ${result.endToEnd.p99.toFixed(1)} ms, lost ${lost} doubled ${doubled} reordered ${reordered}`,
        );
        rows.push([
          String(processes),
          int(result.offeredRate),
          int(result.deliveredPerSec),
          ...latencyCells(result.endToEnd),
          ...latencyCells(result.ack).slice(0, 3),
          `${lost} / ${doubled} / ${reordered}`,
        ]);
      }
    } finally {
      await load?.close();
      for (const [index, server] of servers.entries()) {
        failures.push(
          ...serverFailures(`scaling process ${index + 1} of ${processes}`, server, await server.dispose()),
        );
      }
      await engine.cleanup();
    }
  }
  return {
    title,
    markdown: [
      `${options.fanoutConnections} sockets in conversations of ${options.groupSize}, spread round-robin over the ` +
        `processes, every socket sending; each process its own Node.js process on this machine, one PostgreSQL ` +
        `database and one Redis for all. The machine's two cores are shared by the processes, PostgreSQL, Redis ` +
        `and the load generator, so more processes here show the cost of crossing Redis, not more capacity.`,
      '',
      table(
        [
          'Processes',
          'Offered msg/s',
          'Deliveries/s',
          'e2e p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'ack p50 ms',
          'ack p95 ms',
          'ack p99 ms',
          'lost / doubled / reordered',
        ],
        rows,
      ),
    ].join('\n'),
  };
}
