import { startChatServer } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { FanOutLoad, type FanOutResult, type Member } from '../fan-out-load';
import { cpuPerFrameUs } from '../fan-out-table';
import { int, latencyCells, ms, otherCpu, percent, table, type ScenarioReport } from '../format';
import { readFramesSerialized } from '../frames-serialized';
import { ledgerFailures } from '../ledger';
import { createGroups, provisionUsers } from '../provision';
import { scrapeMetrics, stepStats, type ServerStepStats } from '../server-metrics';
import { mintUsers } from '../tokens';

/** Issue 13's target for this shape: p99 end-to-end delivery under 50 ms. */
const TARGET_P99_MS = 50;

/**
 * One conversation of `bigGroupSize` members, every member's socket joined;
 * random members send `bigGroupRate` messages a second in all, open loop, so
 * the server fans each one out to the whole group (20 msg/s × 1,000 members is
 * 20,000 deliveries/s). Besides latency and CPU per delivered frame, the
 * server's own count of serialised frames over the step shows whether a
 * message is turned into text once or once per recipient.
 */
export async function runBigGroup({ repoRoot, options, failures }: BenchContext): Promise<ScenarioReport> {
  const size = options.bigGroupSize;
  const rate = options.bigGroupRate;
  const label = `big group of ${int(size)}`;
  const server = await startChatServer(repoRoot, {
    cpuProfDir: options.cpuProfDir,
    env: { MAX_GROUP_MEMBERS: String(size) },
  });
  let load: FanOutLoad | null = null;
  let markdown = '';
  try {
    const users = await mintUsers(server.jwtSecret, size, 'biggroup');
    await provisionUsers(server.url, users);
    const conversationIds = await createGroups(server.url, users, size);
    const members: Member[] = users.map((user, index) => ({
      token: user.token,
      conversationId: conversationIds[index] as string,
    }));
    const connectStart = performance.now();
    load = await FanOutLoad.connect(server.wsUrl, members, server.pid, {
      concurrency: options.connectConcurrency,
      bodyLength: options.bodyLength,
    });
    const connectSec = (performance.now() - connectStart) / 1000;
    console.log(`  ${int(size)} members connected, authenticated and joined in ${connectSec.toFixed(1)} s`);

    const perConnection = rate / size;
    const warmup = await load.run(perConnection, options.warmupSec);
    failures.push(...ledgerFailures(`${label} warm-up`, warmup.counts));

    const serializedBefore = await readFramesSerialized(server.url);
    const metricsBefore = await scrapeMetrics(server.url);
    const result = await load.run(perConnection, options.durationSec);
    const stats = stepStats(metricsBefore, await scrapeMetrics(server.url));
    const serialized = (await readFramesSerialized(server.url)) - serializedBefore;
    failures.push(...ledgerFailures(label, result.counts));
    if (load.closedByServer > 0)
      failures.push(`${label}: ${load.closedByServer} sockets closed during the run`);

    const figures = bigGroupFigures(result, serialized);
    console.log(
      `  ${rate} msg/s into ${int(size)} members: ${int(result.deliveredPerSec)} deliveries/s, ` +
        `e2e p50 ${ms(result.endToEnd.p50)} p95 ${ms(result.endToEnd.p95)} p99 ${ms(result.endToEnd.p99)} ` +
        `max ${ms(result.endToEnd.max)} ms (target p99 < ${TARGET_P99_MS} ms: ` +
        `${result.endToEnd.p99 < TARGET_P99_MS ? 'met' : 'not met'}); server CPU ${percent(result.cpu.server)}, ` +
        `${cpuPerFrameUs(result).toFixed(1)} µs/frame; ${figures.serializedPerMessage.toFixed(2)} serialisations ` +
        `per message for ${int(figures.deliveriesPerMessage)} deliveries; lost ${int(figures.lost)}, doubled ${int(figures.doubled)}`,
    );
    markdown = bigGroupMarkdown(size, connectSec, result, stats, figures);
  } finally {
    await load?.close();
    failures.push(...serverFailures(label, server, await server.dispose()));
  }
  return {
    title: `Big group (${int(size)} members joined, ${rate} msg/s from random members)`,
    markdown,
  };
}

interface BigGroupFigures {
  /** Texts the server made per message sent: 2 is once for every recipient plus once for the sender's ack. */
  serializedPerMessage: number;
  deliveriesPerMessage: number;
  lost: number;
  doubled: number;
}

function bigGroupFigures(result: FanOutResult, serialized: number): BigGroupFigures {
  const { counts } = result;
  return {
    serializedPerMessage: counts.sent === 0 ? Number.NaN : serialized / counts.sent,
    deliveriesPerMessage: counts.sent === 0 ? Number.NaN : counts.delivered / counts.sent,
    lost: counts.lostDeliveries + counts.lostAcks,
    doubled: counts.doubledDeliveries + counts.doubledAcks,
  };
}

function bigGroupMarkdown(
  size: number,
  connectSec: number,
  result: FanOutResult,
  stats: ServerStepStats,
  figures: BigGroupFigures,
): string {
  const met = result.endToEnd.p99 < TARGET_P99_MS ? 'met' : '**not met**';
  return [
    table(
      [
        'Sent msg/s',
        'Deliveries/s',
        'e2e p50 ms',
        'e2e p95 ms',
        'e2e p99 ms',
        'e2e max ms',
        'ack p99 ms',
        `p99 < ${TARGET_P99_MS} ms`,
        'Lost / doubled',
      ],
      [
        [
          result.sendRate.toFixed(1),
          int(result.deliveredPerSec),
          ...latencyCells(result.endToEnd),
          ms(result.ack.p99),
          met,
          `${int(figures.lost)} / ${int(figures.doubled)}`,
        ],
      ],
    ),
    '',
    table(
      [
        'Server CPU',
        'Server µs/frame',
        'Serialisations per message',
        'Deliveries per message',
        'Loop delay p99 / max ms',
        'GC ms',
        'Bench CPU',
        'Other CPU',
      ],
      [
        [
          percent(result.cpu.server),
          cpuPerFrameUs(result).toFixed(1),
          figures.serializedPerMessage.toFixed(2),
          int(figures.deliveriesPerMessage),
          `${ms(stats.eventLoopDelayP99Ms)} / ${ms(stats.eventLoopDelayMaxMs)}`,
          ms(stats.gcSeconds * 1000),
          percent(result.cpu.bench),
          otherCpu(result.cpu.other),
        ],
      ],
    ),
    '',
    `The ${int(size)} members connected, authenticated and joined in ${connectSec.toFixed(1)} s. ` +
      'Serialisations per message come from the server’s `chat_frames_serialized_total` over the step: ' +
      'one text for every recipient’s `message` frame plus one for the sender’s `message_ack` makes 2, ' +
      'whatever the group’s size.',
  ].join('\n');
}
