import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startChatServer, type ChatServerProcess } from '../chat-server';
import { serverFailures, type BenchContext } from '../context';
import { freePort, portIsFree } from '../free-port';
import { int, latencyCells, ms, otherCpu, percent, table, type ScenarioReport } from '../format';
import { LatencyRecorder, type LatencySummary } from '../latency';
import { readListenDrops } from '../listen-drops';
import { DeliveryLedger, ledgerFailures, type LedgerCounts } from '../ledger';
import { sleep } from '../pacing';
import { CpuMeter, type CpuUse } from '../proc-stats';
import { createGroups, mapLimit, provisionUsers } from '../provision';
import { ResumingClient } from '../resuming-client';
import { mintUsers } from '../tokens';
import { sourceAddress, sourceAddressCount } from '../source-addresses';

/** Issue 13's target: every client holds every message within this long of the SIGTERM. */
const TARGET_HOLD_MS = 15_000;
/** Past this, clients that have not resumed are reported as failures rather than waited for. */
const RESUME_TIMEOUT_MS = 90_000;
const SETUP_TIMEOUT_MS = 180_000;
const DRAIN_TIMEOUT_MS = 15_000;
/** How often a restart waiting for the old process's port checks it. */
const PORT_POLL_MS = 50;

interface RestartFigures {
  count: number;
  addresses: number;
  connectSec: number;
  sentBefore: number;
  /** From the SIGTERM, in ms. */
  oldExitedMs: number;
  newListeningMs: number;
  /** Starts of the new process refused because the old one still held the port. */
  portRetries: number;
  resumed: number;
  resume: LatencySummary;
  /** Of the successful attempt: open + authenticate + join (ms); and attempts per resume. */
  handshake: LatencySummary;
  attempts: LatencySummary;
  /** When clients saw their socket close, from the SIGTERM (ms). */
  closeSeen: LatencySummary;
  /** The resuming attempt's steps (ms). */
  phases: { open: LatencySummary; authenticate: LatencySummary; join: LatencySummary };
  allResumedMs: number;
  /** The last ack or delivery, when every send was acked and every copy delivered; NaN if never. */
  allHeldMs: number;
  counts: LedgerCounts;
  attemptFailures: Map<string, number>;
  /** SYNs the kernel dropped at a full accept queue during the restart (machine-wide). */
  listenDrops: number;
  /** The bench's own event-loop delay from the SIGTERM to the end (ms). */
  benchLoopDelay: { p99: number; max: number };
  /** The new process over its first seconds (resume and catch-up). */
  cpu: CpuUse | null;
}

/**
 * N clients in conversations of `groupSize`, each behaving like the real
 * client (jittered backoff, `since_seq` resume, unacked sends resent with
 * their `client_id`), while random members keep sending. Then the server gets
 * SIGTERM and a new process starts at once on the same data and port: how long
 * until every client resumed, and until every client holds every message, with
 * nothing lost or doubled.
 */
export async function runRestart({ repoRoot, options, failures }: BenchContext): Promise<ScenarioReport> {
  const { groupSize } = options;
  const count = Math.max(groupSize, Math.round(options.restartClients / groupSize) * groupSize);
  const port = await freePort();
  const first = await startChatServer(repoRoot, { port, cpuProfDir: options.cpuProfDir });
  let second: ChatServerProcess | null = null;
  let oldExit: Promise<number | null> | null = null;
  const clients: ResumingClient[] = [];
  const ledger = new DeliveryLedger();
  const attemptFailures = new Map<string, number>();
  let countFailures = false;
  const onFailure = (reason: string) => {
    if (countFailures) attemptFailures.set(reason, (attemptFailures.get(reason) ?? 0) + 1);
  };
  let figures: RestartFigures | null = null;
  try {
    const users = await mintUsers(first.jwtSecret, count, 'restart');
    await provisionUsers(first.url, users);
    const conversationIds = await createGroups(first.url, users, groupSize);
    const addresses = sourceAddressCount(count);
    users.forEach((user, index) => {
      clients[index] = new ResumingClient(
        index,
        {
          url: first.wsUrl,
          token: user.token,
          conversationId: conversationIds[index] as string,
          localAddress: sourceAddress(index % addresses),
          groupSize,
        },
        ledger,
        onFailure,
      );
    });
    const connectStart = performance.now();
    await withTimeout(
      mapLimit(clients, options.connectConcurrency, (client) => client.start()),
      SETUP_TIMEOUT_MS,
      `not every one of ${count} clients connected, authenticated and joined`,
    );
    const connectSec = (performance.now() - connectStart) / 1000;
    console.log(
      `  ${int(count)} clients connected, authenticated and joined in ${connectSec.toFixed(1)} s ` +
        `from ${addresses} source address(es)`,
    );

    const body = 'x'.repeat(options.bodyLength);
    const trickle = startTrickle(options.restartSendRate, () => {
      const client = clients[Math.floor(Math.random() * count)] as ResumingClient;
      client.send(randomUUID(), body);
    });
    await sleep(options.warmupSec * 1000);
    const sentBefore = ledger.counts().sent;

    const resumedAll = Promise.all(clients.map((client) => client.nextReady()));
    countFailures = true;
    const dropsBefore = readListenDrops();
    // The generator's own stalls delay its handshakes as much as the server's would.
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    benchLoop.enable();
    const sigtermAt = performance.now();
    let oldExitedAt = Number.NaN;
    oldExit = first.stop();
    void oldExit.then(() => (oldExitedAt = performance.now()));
    const started = await startOnSamePort(repoRoot, first, port, oldExit, options.cpuProfDir);
    second = started.server;
    const newListeningAt = performance.now();
    const cpu = new CpuMeter(second.pid);

    const allResumed = await withTimeout(resumedAll, RESUME_TIMEOUT_MS, '').then(
      () => true,
      () => false,
    );
    trickle.stop();
    const resume = new LatencyRecorder();
    const handshake = new LatencyRecorder();
    const noticed = new LatencyRecorder();
    const phases = {
      open: new LatencyRecorder(),
      authenticate: new LatencyRecorder(),
      join: new LatencyRecorder(),
    };
    const attempts = new LatencyRecorder();
    let resumed = 0;
    let lastReady = Number.NaN;
    for (const client of clients) {
      if (!client.isReady || !(client.readyAt > sigtermAt)) continue;
      resumed++;
      resume.record(client.readyAt - sigtermAt);
      handshake.record(client.handshakeMs);
      noticed.record(client.closedAt - sigtermAt);
      phases.open.record(client.phasesMs.open);
      phases.authenticate.record(client.phasesMs.authenticate);
      phases.join.record(client.phasesMs.join);
      attempts.record(client.attemptsToReady);
      lastReady = Number.isNaN(lastReady) ? client.readyAt : Math.max(lastReady, client.readyAt);
    }
    await ledger.drain(DRAIN_TIMEOUT_MS);
    const listenDrops = readListenDrops() - dropsBefore;
    benchLoop.disable();
    const cpuUse = second.crash ? null : cpu.read();
    const counts = ledger.counts();
    figures = {
      count,
      addresses,
      connectSec,
      sentBefore,
      oldExitedMs: oldExitedAt - sigtermAt,
      newListeningMs: newListeningAt - sigtermAt,
      portRetries: started.portRetries,
      resumed,
      resume: resume.summary(),
      handshake: handshake.summary(),
      closeSeen: noticed.summary(),
      phases: {
        open: phases.open.summary(),
        authenticate: phases.authenticate.summary(),
        join: phases.join.summary(),
      },
      attempts: attempts.summary(),
      allResumedMs: allResumed ? lastReady - sigtermAt : Number.NaN,
      allHeldMs: ledger.settled ? ledger.lastArrival - sigtermAt : Number.NaN,
      counts,
      attemptFailures,
      listenDrops,
      benchLoopDelay: { p99: benchLoop.percentile(99) / 1e6, max: benchLoop.max / 1e6 },
      cpu: cpuUse,
    };
    printRestart(figures);
    if (!allResumed) {
      failures.push(`restart: ${count - resumed} of ${count} clients did not resume`);
      if (second.stderrTail.length > 0)
        console.error(`  new server stderr:\n${second.stderrTail.join('\n')}`);
    }
    failures.push(...ledgerFailures('restart', counts));
    const truncated = clients.reduce((sum, client) => sum + client.truncatedResumes, 0);
    if (truncated > 0) failures.push(`restart: ${truncated} resumes missed more than one joined frame holds`);
    const early = clients.reduce((sum, client) => sum + client.messagesBeforeJoined, 0);
    if (early > 0) failures.push(`restart: ${early} message frames arrived before their socket's joined`);
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    if (second) failures.push(...serverFailures('restart (new process)', second, await second.dispose()));
    failures.push(...serverFailures('restart (old process)', first, await (oldExit ?? first.dispose())));
    // A new process that never started leaves the data behind.
    if (!second) rmSync(first.dataDir, { recursive: true, force: true });
  }
  return {
    title: `Restart (${int(count)} clients in conversations of ${groupSize}, SIGTERM and a new process)`,
    markdown: figures ? restartMarkdown(figures, options.restartSendRate) : '',
  };
}

/**
 * A new server on the old one's data and port, started right after the
 * SIGTERM; while the old process still holds the port (it closes its sockets
 * first), the start fails with EADDRINUSE and is tried again as soon as the
 * port is free (or the old process exited), as a supervisor polling it would.
 */
async function startOnSamePort(
  repoRoot: string,
  old: ChatServerProcess,
  port: number,
  oldExit: Promise<number | null>,
  cpuProfDir: string | null,
): Promise<{ server: ChatServerProcess; portRetries: number }> {
  let portRetries = 0;
  for (;;) {
    try {
      const server = await startChatServer(repoRoot, { reuse: old, port, cpuProfDir });
      return { server, portRetries };
    } catch (error) {
      if (!/EADDRINUSE/.test(String(error)) || portRetries > 0) throw error;
      portRetries++;
      let exited = false;
      void oldExit.then(() => (exited = true));
      while (!exited && !(await portIsFree(port))) await sleep(PORT_POLL_MS);
    }
  }
}

/** Open-loop sends at `rate` a second until stopped (a steady trickle, through the restart). */
function startTrickle(rate: number, send: () => void): { stop(): void } {
  const start = performance.now();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due) {
      send();
      sent++;
    }
    timer = setTimeout(tick, 5);
  };
  tick();
  return { stop: () => clearTimeout(timer) };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function failureCells(failuresByReason: Map<string, number>): string {
  const entries = [...failuresByReason.entries()].sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([reason, n]) => `${reason} ×${int(n)}`).join(', ');
}

function printRestart(f: RestartFigures): void {
  console.log(
    `  SIGTERM → old process exited ${ms(f.oldExitedMs)} ms, new one listening ${ms(f.newListeningMs)} ms ` +
      `(${f.portRetries} start(s) refused with EADDRINUSE); ${int(f.resumed)}/${int(f.count)} resumed, ` +
      `p50 ${ms(f.resume.p50)} p95 ${ms(f.resume.p95)} ms, all by ${ms(f.allResumedMs)} ms; every client holds ` +
      `every message ${ms(f.allHeldMs)} ms after the SIGTERM (target < ${TARGET_HOLD_MS / 1000} s: ` +
      `${f.allHeldMs < TARGET_HOLD_MS ? 'met' : 'not met'})`,
  );
  console.log(
    `  ${int(f.counts.sent)} sent (${int(f.sentBefore)} before the SIGTERM), ${int(f.counts.acked)} acked; ` +
      `lost ${int(f.counts.lostAcks + f.counts.lostDeliveries)}, doubled ` +
      `${int(f.counts.doubledAcks + f.counts.doubledDeliveries)}, seq gaps ${int(f.counts.orderViolations)}; ` +
      `failed attempts: ${failureCells(f.attemptFailures)}; new server CPU ${percent(f.cpu?.server ?? Number.NaN)}, ` +
      `bench ${percent(f.cpu?.bench ?? Number.NaN)}, other processes ${otherCpu(f.cpu?.other ?? Number.NaN)}`,
  );
  console.log(
    `  the resuming attempt's open + authenticate + join: p50 ${ms(f.handshake.p50)} p95 ${ms(f.handshake.p95)} ` +
      `max ${ms(f.handshake.max)} ms; attempts per resume p50 ${f.attempts.p50} p95 ${f.attempts.p95} max ${f.attempts.max}; SYNs dropped at a full accept queue ${int(f.listenDrops)}; ` +
      `bench event-loop delay p99 ${ms(f.benchLoopDelay.p99)} max ${ms(f.benchLoopDelay.max)} ms`,
  );
  console.log(
    `  clients saw their socket close p50 ${ms(f.closeSeen.p50)} max ${ms(f.closeSeen.max)} ms after the SIGTERM; ` +
      `the resuming attempt: open p50 ${ms(f.phases.open.p50)} p95 ${ms(f.phases.open.p95)}, authenticate p50 ` +
      `${ms(f.phases.authenticate.p50)} p95 ${ms(f.phases.authenticate.p95)}, join p50 ${ms(f.phases.join.p50)} ` +
      `p95 ${ms(f.phases.join.p95)} ms; new server ${f.cpu ? ((f.cpu.serverSeconds / f.count) * 1000).toFixed(2) : '–'} ms of CPU per client`,
  );
}

function restartMarkdown(f: RestartFigures, sendRate: number): string {
  const met = f.allHeldMs < TARGET_HOLD_MS ? 'met' : '**not met**';
  return [
    table(
      [
        'Clients',
        'Old process exited',
        'New one listening',
        'Resume p50 / p95 / p99 / max ms',
        'All resumed',
        'All hold every message',
        `< ${TARGET_HOLD_MS / 1000} s`,
      ],
      [
        [
          `${int(f.resumed)} of ${int(f.count)}`,
          `${ms(f.oldExitedMs)} ms`,
          `${ms(f.newListeningMs)} ms`,
          latencyCells(f.resume).join(' / '),
          `${ms(f.allResumedMs)} ms`,
          `${ms(f.allHeldMs)} ms`,
          met,
        ],
      ],
    ),
    '',
    table(
      [
        'Sent (before SIGTERM)',
        'Acked',
        'Lost / doubled',
        'Seq gaps',
        'Failed reconnect attempts',
        'SYNs dropped (accept queue full)',
        'Resuming handshake p50 / max ms',
        'Bench loop delay p99 / max ms',
        'New server CPU',
        'Other CPU',
      ],
      [
        [
          `${int(f.counts.sent)} (${int(f.sentBefore)})`,
          int(f.counts.acked),
          `${int(f.counts.lostAcks + f.counts.lostDeliveries)} / ${int(f.counts.doubledAcks + f.counts.doubledDeliveries)}`,
          int(f.counts.orderViolations),
          failureCells(f.attemptFailures),
          int(f.listenDrops),
          `${ms(f.handshake.p50)} / ${ms(f.handshake.max)}`,
          `${ms(f.benchLoopDelay.p99)} / ${ms(f.benchLoopDelay.max)}`,
          percent(f.cpu?.server ?? Number.NaN),
          otherCpu(f.cpu?.other ?? Number.NaN),
        ],
      ],
    ),
    '',
    'Where a resume’s time goes (the successful attempt; p50 / p95 ms):',
    '',
    table(
      [
        'Close seen (from SIGTERM)',
        'Attempts',
        'TCP + upgrade',
        'authenticate → authenticated',
        'join → joined',
        'New server CPU per client',
      ],
      [
        [
          `${ms(f.closeSeen.p50)} / ${ms(f.closeSeen.p95)}`,
          `${f.attempts.p50} / ${f.attempts.p95}`,
          `${ms(f.phases.open.p50)} / ${ms(f.phases.open.p95)}`,
          `${ms(f.phases.authenticate.p50)} / ${ms(f.phases.authenticate.p95)}`,
          `${ms(f.phases.join.p50)} / ${ms(f.phases.join.p95)}`,
          f.cpu ? `${((f.cpu.serverSeconds / f.count) * 1000).toFixed(2)} ms` : '–',
        ],
      ],
    ),
    '',
    `Times are from the SIGTERM. ${int(f.count)} clients from ${f.addresses} loopback source address(es) ` +
      `connected in ${f.connectSec.toFixed(1)} s; random members sent ${sendRate} msg/s in all before, ` +
      'during and after the restart (sends made while a client was away were held and sent on its resume). ' +
      'Each client reconnects like packages/client: full-jitter backoff from 500 ms doubling to 30 s, ' +
      '`join_conversation` with `since_seq`, unacked sends resent with their `client_id`. The new process ' +
      `started at once on the same data and port${f.portRetries > 0 ? ' (its first start found the port still held, and it was started again as soon as the old process let the port go)' : ''}.`,
  ].join('\n');
}
