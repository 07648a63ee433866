import { randomUUID } from 'node:crypto';
import { startChatServer } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { int, latencyCells, ms, otherCpu, percent, table, type ScenarioReport } from '../format';
import { DeliveryLedger, ledgerFailures, type LedgerCounts } from '../ledger';
import type { LatencySummary } from '../latency';
import { paceOpenLoop, sleep } from '../pacing';
import { CpuMeter, type CpuUse } from '../proc-stats';
import { createGroups, provisionUsers } from '../provision';
import { RawClient } from '../raw-client';
import { scrapeMetrics, stepStats, type ServerStepStats } from '../server-metrics';
import { mintUsers } from '../tokens';

interface AckRun {
  mode: string;
  offered: string;
  throughput: number;
  latency: LatencySummary;
  counts: LedgerCounts;
  stats: ServerStepStats;
  cpu: CpuUse;
}

const DRAIN_TIMEOUT_MS = 15_000;

/**
 * Scenario 1: one sender, send → message_ack. First at a fixed offered rate
 * (open loop), then pipelined (a window of sends always in flight) to find the
 * most one connection gets through the group commit.
 */
export async function runAckLatency({ repoRoot, options, failures }: BenchContext): Promise<ScenarioReport> {
  const server = await startChatServer(repoRoot, { cpuProfDir: options.cpuProfDir });
  const runs: AckRun[] = [];
  let client: RawClient | null = null;
  try {
    const users = await mintUsers(server.jwtSecret, 2, 'ack');
    await provisionUsers(server.url, users);
    const [conversationId] = await createGroups(server.url, users, 2);
    const sender = users[0];
    if (!conversationId || !sender) throw new Error('provisioning failed');
    client = await RawClient.open(server.wsUrl);
    const authenticated = client.expect('authenticated');
    client.send({ type: 'authenticate', token: sender.token });
    await authenticated;

    let ledger = new DeliveryLedger();
    let onAck: () => void = () => {};
    client.onFrame = (frame, at) => {
      if (frame.type === 'message_ack') {
        ledger.ack(frame.client_id, at);
        onAck();
      } else if (frame.type === 'error') ledger.error(frame.code);
    };
    const body = 'x'.repeat(options.bodyLength);
    const socket = client;
    const sendOne = () => {
      const clientId = randomUUID();
      ledger.sent(clientId, 0, 0);
      socket.send({ type: 'send_message', conversation_id: conversationId, client_id: clientId, body });
    };

    const measure = async (mode: string, offered: string, drive: () => Promise<void>) => {
      ledger = new DeliveryLedger();
      const before = await scrapeMetrics(server.url);
      const cpu = new CpuMeter(server.pid);
      const start = performance.now();
      await drive();
      await ledger.drain(DRAIN_TIMEOUT_MS);
      const spanSec = (ledger.lastArrival - start) / 1000;
      const usage = cpu.read();
      const after = await scrapeMetrics(server.url);
      const counts = ledger.counts();
      const run: AckRun = {
        mode,
        offered,
        throughput: counts.acked / spanSec,
        latency: ledger.ackLatency.summary(),
        counts,
        stats: stepStats(before, after),
        cpu: usage,
      };
      failures.push(...ledgerFailures(`ack ${mode}`, counts));
      return run;
    };

    // Warm-up (not reported): JIT, statement caches, the WAL file.
    await measure('warm-up', '', () =>
      paceOpenLoop(options.ackRate, options.warmupSec, sendOne).then(() => {}),
    );

    runs.push(
      await measure('fixed rate', `${int(options.ackRate)} msg/s`, async () => {
        await paceOpenLoop(options.ackRate, options.durationSec, sendOne);
      }),
    );
    print(runs.at(-1));

    runs.push(
      await measure('pipelined', `window ${options.window}`, async () => {
        const end = performance.now() + options.durationSec * 1000;
        // Each ack makes room for the next send until the time is up; the drain collects the rest.
        onAck = () => {
          if (performance.now() < end) sendOne();
        };
        for (let index = 0; index < options.window; index++) sendOne();
        await sleep(options.durationSec * 1000);
        onAck = () => {};
      }),
    );
    print(runs.at(-1));
  } finally {
    await client?.close();
    failures.push(...serverFailures('ack', server, await server.dispose()));
  }

  const rows = runs.map(({ mode, offered, counts, throughput, latency, stats, cpu }) => [
    mode,
    offered,
    int(counts.sent),
    int(counts.acked),
    int(throughput),
    ...latencyCells(latency),
    int(stats.batches.commits),
    stats.batches.mean.toFixed(1),
    `≤${stats.batches.p50Bound} / ≤${stats.batches.p99Bound}`,
    percent(stats.batches.singles),
    ms(stats.eventLoopDelayMaxMs),
    percent(cpu.server),
    otherCpu(cpu.other),
  ]);
  return {
    title: '1. Ack latency and throughput (one sender, SQLITE_SYNCHRONOUS=FULL)',
    markdown: table(
      [
        'Run',
        'Offered',
        'Sent',
        'Acked',
        'Acks/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'Commits',
        'Sends/commit',
        'Batch p50 / p99',
        'Single-send commits',
        'Loop delay max ms',
        'Server CPU',
        'Other CPU',
      ],
      rows,
    ),
  };
}

function print(run: AckRun | undefined): void {
  if (!run) return;
  const { latency, stats, counts, cpu } = run;
  console.log(
    `  ack ${run.mode} (${run.offered}): ${counts.acked}/${counts.sent} acked, ${int(run.throughput)} acks/s, ` +
      `p50 ${ms(latency.p50)} p95 ${ms(latency.p95)} p99 ${ms(latency.p99)} max ${ms(latency.max)} ms; ` +
      `${stats.batches.commits} commits, ${stats.batches.mean.toFixed(1)} sends/commit, ` +
      `loop delay max ${ms(stats.eventLoopDelayMaxMs)} ms; CPU server ${percent(cpu.server)} other ${percent(cpu.other)}`,
  );
}
