import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { BenchContext } from '../context';
import { FanOutLoad } from '../fan-out-load';
import type { ScenarioReport } from '../format';
import { ledgerFailures } from '../ledger';
import { SATURATION_P99_MS, searchSaturation, type SaturationPlan } from '../saturation-search';
import {
  redisProblem,
  startBare,
  startPostgresChat,
  startSqliteChat,
  type SaturationServer,
} from '../saturation-servers';
import {
  printStep,
  saturationChart,
  stepsTable,
  summaryTable,
  TARGET_HALF_P99_MS,
  TARGET_RATIO,
  type SaturationRun,
} from '../saturation-table';

/** Issue 13's load: 100-byte bodies; dm = conversations of 2, group = conversations of 10, every socket sending. */
const BODY_LENGTH = 100;
const LOADS = [
  { name: 'dm', groupSize: 2 },
  { name: 'group of 10', groupSize: 10 },
] as const;

/**
 * Saturation (issue 13): for one-to-one and group-of-10 traffic, the deliveries/s
 * each server sustains with p99 under 100 ms, stepping an open-loop offered rate
 * up geometrically, and p99 at half that rate; the chat server on SQLite and on
 * PostgreSQL + Redis (1 and 2 processes) against the bare `ws` ceiling, all in
 * this one run. Writes the chart beside the report on full runs.
 */
export async function runSaturation(ctx: BenchContext): Promise<ScenarioReport> {
  const { options, repoRoot, failures } = ctx;
  const runs: SaturationRun[] = [];
  const skipped: string[] = [];
  const starts: Array<[string, () => Promise<SaturationServer | null>]> = [
    ['SQLite', () => startSqliteChat(repoRoot, options.cpuProfDir)],
    ['bare ws', () => startBare(repoRoot)],
  ];
  const redis = await redisProblem();
  if (redis) skipped.push(`PostgreSQL + Redis skipped: Redis not reachable (${redis}).`);
  else {
    for (const processes of options.saturationProcesses) {
      starts.push([
        `PostgreSQL ×${processes}`,
        () => startPostgresChat(repoRoot, processes, options.cpuProfDir),
      ]);
    }
  }

  for (const [name, start] of starts) {
    const started = performance.now();
    let server: SaturationServer | null;
    try {
      server = await start();
    } catch (error) {
      // One server that cannot start (a broken build mid-change) must not hide the others' figures.
      failures.push(`saturation ${name}: ${error instanceof Error ? error.message : String(error)}`);
      skipped.push(`${name} did not start (see the failures).`);
      continue;
    }
    if (!server) {
      skipped.push(`${name} skipped: the test PostgreSQL was not reachable.`);
      continue;
    }
    try {
      for (const load of LOADS) {
        if (server.crash()) break;
        runs.push(await saturate(ctx, server, load));
      }
    } finally {
      failures.push(...(await server.stop()));
    }
    console.log(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  const chartPath =
    options.reportPath && !options.quick ? `${options.reportPath.replace(/\.md$/, '')}-saturation.svg` : null;
  if (chartPath) {
    writeFileSync(chartPath, saturationChart(runs));
    console.log(`  chart written to ${chartPath}`);
  }
  const { saturationConnections: connections } = options;
  return {
    title: `Saturation: dm and group of 10 against the bare ws ceiling (${connections} sockets, ${BODY_LENGTH}-byte bodies)`,
    markdown: [
      `${connections} sockets, every one sending: dm is ${connections / 2} conversations of 2, group ` +
        `${connections / 10} conversations of 10. The offered rate (open loop) starts at ` +
        `${options.saturationStart} deliveries/s and is multiplied by ${options.saturationFactor} each ` +
        `${options.saturationStepSec} s step until delivery or ack p99 passes ${SATURATION_P99_MS} ms, under 90% ` +
        `of the offered deliveries arrive or any is lost; the saturation figure is the most deliveries/s of a step ` +
        `within that bound, then one step at half its offered rate gives the p99. A delivery is a \`message\` frame ` +
        `at a member, the sender's own copy included; latency is send → \`message\` at every other member. ` +
        `Targets (issue 13): ratio to the bare ceiling ≥ ${TARGET_RATIO}, p99 at half rate < ${TARGET_HALF_P99_MS} ms. ` +
        `The load generator is one Node.js process on the same 2 cores: a step is marked generator-bound when it ` +
        `used 90% of a core or could not send 95% of the offered rate, and a saturation figure so marked is the ` +
        `generator's, not the server's.`,
      ...skipped.map((line) => `\n${line}`),
      '',
      summaryTable(runs),
      '',
      ...(chartPath ? [`![Deliveries/s and p99 against offered load](${basename(chartPath)})`, ''] : []),
      'Every step:',
      '',
      stepsTable(runs),
    ].join('\n'),
  };
}

async function saturate(
  { options, failures }: BenchContext,
  server: SaturationServer,
  load: (typeof LOADS)[number],
): Promise<SaturationRun> {
  const connections = options.saturationConnections;
  const members = await server.members(connections, load.groupSize);
  const fanOut = await FanOutLoad.connect((index) => server.wsUrl(index), members, server.pids[0] as number, {
    concurrency: options.connectConcurrency,
    bodyLength: BODY_LENGTH,
  });
  const label = `saturation ${load.name} ${server.label}`;
  try {
    const startRate = options.saturationStart / load.groupSize;
    const plan: SaturationPlan = {
      startRate,
      factor: options.saturationFactor,
      stepSec: options.saturationStepSec,
      maxSteps: options.saturationMaxSteps,
      groupSize: load.groupSize,
      serverPids: server.pids,
    };
    const warmup = await fanOut.run(
      startRate / 2 / connections,
      Math.min(options.warmupSec, 2 * plan.stepSec),
    );
    failures.push(...ledgerFailures(`${label} warm-up`, warmup.counts));
    const outcome = await searchSaturation(fanOut, plan, connections, (step) => {
      printStep(load.name, server.label, step);
      failures.push(
        ...ledgerFailures(`${label} @ ${Math.round(step.result.offeredRate)} msg/s`, step.result.counts),
      );
    });
    if (fanOut.closedByServer > 0)
      failures.push(`${label}: ${fanOut.closedByServer} sockets closed by the server`);
    return { load: load.name, server: server.label, outcome };
  } finally {
    await fanOut.close();
  }
}
