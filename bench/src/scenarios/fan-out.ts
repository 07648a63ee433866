import { startChatServer } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { FanOutLoad, type Member } from '../fan-out-load';
import { fanOutTables, printFanOutRow, type FanOutRow } from '../fan-out-table';
import type { ScenarioReport } from '../format';
import { ledgerFailures } from '../ledger';
import { createGroups, provisionUsers } from '../provision';
import { scrapeMetrics, stepStats } from '../server-metrics';
import { mintUsers } from '../tokens';

/**
 * Scenario 2: fan-out. Sockets in conversations of `groupSize`, each sending at
 * a modest rate; end-to-end latency is send → `message` at every other member.
 * Run once with SQLITE_SYNCHRONOUS=FULL (the default) and once with NORMAL.
 */
export async function runFanOut(ctx: BenchContext): Promise<{ report: ScenarioReport; rows: FanOutRow[] }> {
  const rows: FanOutRow[] = [];
  for (const synchronous of ['FULL', 'NORMAL'] as const) await runAgainstChat(ctx, synchronous, rows);
  const { fanoutConnections, groupSize } = ctx.options;
  return {
    report: {
      title: `2. Fan-out (${fanoutConnections} sockets in conversations of ${groupSize}, every socket sending)`,
      markdown: fanOutTables(rows),
    },
    rows,
  };
}

/** Every step against one server; rows and failures are recorded as they come. */
async function runAgainstChat(
  { repoRoot, options, failures }: BenchContext,
  synchronous: 'FULL' | 'NORMAL',
  rows: FanOutRow[],
): Promise<void> {
  const label = `chat ${synchronous}`;
  const server = await startChatServer(repoRoot, { synchronous, cpuProfDir: options.cpuProfDir });
  let load: FanOutLoad | null = null;
  try {
    const users = await mintUsers(server.jwtSecret, options.fanoutConnections, 'fanout');
    await provisionUsers(server.url, users);
    const conversationIds = await createGroups(server.url, users, options.groupSize);
    const members: Member[] = users.map((user, index) => ({
      token: user.token,
      conversationId: conversationIds[index] as string,
    }));
    load = await FanOutLoad.connect(server.wsUrl, members, server.pid, {
      concurrency: options.connectConcurrency,
      bodyLength: options.bodyLength,
    });
    const rates = options.fanoutRates;
    const warmup = await load.run(rates[0] ?? 1, options.warmupSec);
    failures.push(...ledgerFailures(`${label} warm-up`, warmup.counts));
    for (const rate of rates) {
      if (server.crash) break;
      const before = await scrapeMetrics(server.url);
      const result = await load.run(rate, options.durationSec);
      const stats = server.crash ? null : stepStats(before, await scrapeMetrics(server.url));
      const row: FanOutRow = { server: label, result, stats };
      printFanOutRow(row);
      rows.push(row);
      failures.push(...ledgerFailures(`${label} @ ${rate}/s per socket`, result.counts));
    }
    if (load.closedByServer > 0)
      failures.push(`${label}: ${load.closedByServer} sockets closed during the run`);
  } finally {
    await load?.close();
    failures.push(...serverFailures(label, server, await server.dispose()));
  }
}
