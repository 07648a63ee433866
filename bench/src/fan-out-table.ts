import type { FanOutResult } from './fan-out-load';
import { int, latencyCells, ms, otherCpu, percent, table } from './format';
import type { ServerStepStats } from './server-metrics';

/** One step of a fan-out run against one server. */
export interface FanOutRow {
  server: string;
  result: FanOutResult;
  /** The server's own metrics over the step (the chat server only). */
  stats: ServerStepStats | null;
}

/** Server CPU time per delivered frame, in µs, all its work included: the cost of fan-out. */
export function cpuPerFrameUs(result: FanOutResult): number {
  const frames = result.counts.delivered;
  return frames === 0 ? Number.NaN : (result.cpu.serverSeconds / frames) * 1e6;
}

/** Latency and throughput, then what it cost: two tables, one row per step. */
export function fanOutTables(rows: FanOutRow[]): string {
  const latency = table(
    [
      'Server',
      'Offered msg/s',
      'Sent msg/s',
      'Delivered frames/s',
      'e2e p50 ms',
      'e2e p95 ms',
      'e2e p99 ms',
      'e2e max ms',
      'ack p50 ms',
      'ack p99 ms',
      'Lost / doubled',
    ],
    rows.map(({ server, result }) => [
      server,
      int(result.offeredRate),
      int(result.sendRate),
      int(result.deliveredPerSec),
      ...latencyCells(result.endToEnd),
      ms(result.ack.p50),
      ms(result.ack.p99),
      `${int(result.counts.lostDeliveries + result.counts.lostAcks)} / ${int(result.counts.doubledDeliveries + result.counts.doubledAcks)}`,
    ]),
  );
  // The bare ceiling has no /metrics: its rows leave the server's own figures out.
  const withStats = rows.some((row) => row.stats !== null);
  const cost = table(
    [
      'Server',
      'Offered msg/s',
      ...(withStats ? ['Sends/commit'] : []),
      'Server CPU',
      'Server µs/frame',
      ...(withStats ? ['Loop delay p99 / max ms', 'GC ms'] : []),
      'Bench CPU',
      'Other CPU',
    ],
    rows.map(({ server, result, stats }) => [
      server,
      int(result.offeredRate),
      ...(withStats ? [stats ? stats.batches.mean.toFixed(1) : '–'] : []),
      percent(result.cpu.server),
      cpuPerFrameUs(result).toFixed(1),
      ...(withStats
        ? [
            stats ? `${ms(stats.eventLoopDelayP99Ms)} / ${ms(stats.eventLoopDelayMaxMs)}` : '–',
            stats ? int(stats.gcSeconds * 1000) : '–',
          ]
        : []),
      percent(result.cpu.bench),
      otherCpu(result.cpu.other),
    ]),
  );
  return `${latency}\n\n${cost}`;
}

export function printFanOutRow({ server, result, stats }: FanOutRow): void {
  const { endToEnd, counts, cpu } = result;
  console.log(
    `  ${server} @ ${int(result.offeredRate)} msg/s (${result.ratePerConnection}/s per socket): ` +
      `sent ${int(result.sendRate)}/s, delivered ${int(result.deliveredPerSec)} frames/s, ` +
      `e2e p50 ${ms(endToEnd.p50)} p95 ${ms(endToEnd.p95)} p99 ${ms(endToEnd.p99)} max ${ms(endToEnd.max)} ms, ` +
      `ack p99 ${ms(result.ack.p99)} ms; ` +
      (stats
        ? `${stats.batches.mean.toFixed(1)} sends/commit, loop delay max ${ms(stats.eventLoopDelayMaxMs)} ms, ` +
          `GC ${int(stats.gcSeconds * 1000)} ms; `
        : '') +
      `CPU server ${percent(cpu.server)} bench ${percent(cpu.bench)} other ${percent(cpu.other)}; ` +
      `sent ${counts.sent} acked ${counts.acked} delivered ${counts.delivered}/${counts.expectedDeliveries} ` +
      `lost ${counts.lostAcks + counts.lostDeliveries} doubled ${counts.doubledAcks + counts.doubledDeliveries}`,
  );
}
