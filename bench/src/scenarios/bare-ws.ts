import { randomUUID } from 'node:crypto';
import { startBareServer } from '../bare-server';
import { serverFailures, type BenchContext } from '../context';
import { FanOutLoad, type Member } from '../fan-out-load';
import { cpuPerFrameUs, fanOutTables, printFanOutRow, type FanOutRow } from '../fan-out-table';
import { int, ms, otherCpu, table, type ScenarioReport } from '../format';
import { ledgerFailures } from '../ledger';

/**
 * Scenario 4: the same fan-out load against a trivial broadcast server on the
 * raw `ws` library (bare-ws-server.ts): what the library and this machine allow,
 * to compare the chat server with.
 */
export async function runBareWs(ctx: BenchContext, chatRows: FanOutRow[]): Promise<ScenarioReport> {
  const { repoRoot, options, failures } = ctx;
  const server = await startBareServer(repoRoot);
  const rows: FanOutRow[] = [];
  let load: FanOutLoad | null = null;
  try {
    const conversations = Array.from(
      { length: Math.ceil(options.fanoutConnections / options.groupSize) },
      () => randomUUID(),
    );
    const members: Member[] = Array.from({ length: options.fanoutConnections }, (_, index) => ({
      token: 'bare',
      conversationId: conversations[Math.floor(index / options.groupSize)] as string,
    }));
    load = await FanOutLoad.connect(server.url, members, server.pid, {
      concurrency: options.connectConcurrency,
      bodyLength: options.bodyLength,
    });
    const warmup = await load.run(options.fanoutRates[0] ?? 1, options.warmupSec);
    failures.push(...ledgerFailures('bare ws warm-up', warmup.counts));
    for (const rate of options.fanoutRates) {
      const result = await load.run(rate, options.durationSec);
      const row: FanOutRow = { server: 'bare ws', result, stats: null };
      printFanOutRow(row);
      rows.push(row);
      failures.push(...ledgerFailures(`bare ws @ ${rate}/s per socket`, result.counts));
    }
  } finally {
    await load?.close();
    failures.push(...serverFailures('bare ws', server, await server.stop()));
  }

  let markdown = fanOutTables(rows);
  const comparison = compare(chatRows, rows);
  if (comparison)
    markdown += `\n\nThe chat server against this ceiling, at the same offered load:\n\n${comparison}`;
  return { title: '4. The bare `ws` ceiling (same load shape as scenario 2)', markdown };
}

/**
 * Chat server vs bare ws at each offered rate both ran: latency, and the server
 * CPU each delivered frame cost (all work included), which depends much less on
 * how busy the shared machine was than the latency tails do.
 */
function compare(chatRows: FanOutRow[], bareRows: FanOutRow[]): string | null {
  const lines: string[][] = [];
  for (const chat of chatRows) {
    const bare = bareRows.find((row) => row.result.offeredRate === chat.result.offeredRate);
    if (!bare) continue;
    const chatCost = cpuPerFrameUs(chat.result);
    const bareCost = cpuPerFrameUs(bare.result);
    lines.push([
      chat.server,
      int(chat.result.offeredRate),
      `${ms(chat.result.endToEnd.p50)} / ${ms(bare.result.endToEnd.p50)}`,
      `${ms(chat.result.endToEnd.p99)} / ${ms(bare.result.endToEnd.p99)}`,
      `${chatCost.toFixed(1)} / ${bareCost.toFixed(1)}`,
      `${(chatCost / bareCost).toFixed(1)}×`,
      `${otherCpu(chat.result.cpu.other)} / ${otherCpu(bare.result.cpu.other)}`,
    ]);
  }
  if (lines.length === 0) return null;
  return table(
    [
      'Chat server',
      'Offered msg/s',
      'e2e p50 ms (chat / bare)',
      'e2e p99 ms (chat / bare)',
      'Server µs per frame (chat / bare)',
      'Cost ratio',
      'Other CPU (chat / bare)',
    ],
    lines,
  );
}
