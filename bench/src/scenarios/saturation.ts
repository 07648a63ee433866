import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { BenchContext } from '../context';
import { FanOutLoad } from '../fan-out-load';
import type { ScenarioReport } from '../format';
import { ledgerFailures } from '../ledger';
import {
  measureStep,
  SATURATION_P99_MS,
  SaturationSearch,
  settle,
  type SaturationPlan,
} from '../saturation-search';
import { redisUnavailableReason } from '@chat/testkit';
import { startBare, startPostgresChat, startSqliteChat, type SaturationServer } from '../saturation-servers';
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
  const redis = options.quick ? null : await redisUnavailableReason();
  if (options.quick)
    skipped.push('PostgreSQL + Redis: full runs only (scenario 6 checks them in a quick run).');
  else if (redis) skipped.push(`PostgreSQL + Redis skipped: ${redis}.`);
  else {
    for (const processes of options.saturationProcesses) {
      starts.push([
        `PostgreSQL ×${processes}`,
        () => startPostgresChat(repoRoot, processes, options.cpuProfDir),
      ]);
    }
  }

  // Every server up at once, so each offered rate is measured on all of them back
  // to back: a shared machine's background load then bends every figure of a
  // rate alike, and the ratios to the ceiling compare like with like.
  const servers: SaturationServer[] = [];
  try {
    for (const [name, start] of starts) {
      try {
        const server = await start();
        if (server) servers.push(server);
        else skipped.push(`${name} skipped: the test PostgreSQL was not reachable.`);
      } catch (error) {
        // One server that cannot start (a broken build mid-change) must not hide the others' figures.
        failures.push(`saturation ${name}: ${error instanceof Error ? error.message : String(error)}`);
        skipped.push(`${name} did not start (see the failures).`);
      }
    }
    for (const load of LOADS) runs.push(...(await saturateInLockstep(ctx, servers, load)));
  } finally {
    for (const server of servers) failures.push(...(await server.stop()));
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
        `of the offered deliveries arrive or any is lost (a step past it on latency alone is run again and the ` +
        `repeat decides: one stall of a shared machine should not end the search)` +
        (options.saturationRefine < options.saturationFactor
          ? `, then the rate between the last step within the bound and the first past it is measured ` +
            `(their geometric mean) until the two are at most ×${options.saturationRefine} apart`
          : '') +
        `; the saturation figure is the most deliveries/s of a step ` +
        `within that bound, then one step at half its offered rate gives the p99. A delivery is a \`message\` frame ` +
        `at a member, the sender's own copy included; latency is send → \`message\` at every other member. ` +
        `Targets (issue 13): ratio to the bare ceiling ≥ ${TARGET_RATIO}, p99 at half rate < ${TARGET_HALF_P99_MS} ms. ` +
        `All servers run at once and each rate is measured on each of them back to back (each step after every ` +
        `server has gone idle: an overloaded step's backlog must not run into the next), so a busy machine bends ` +
        `a rate's figures alike; server CPU counts every chat process (not PostgreSQL or Redis), and the CPU cost ` +
        `ratio (bare ws µs per delivery ÷ this server's, at this server's saturating rate or the bare step nearest it) estimates the throughput ` +
        `ratio each would reach with a core to itself, and moves far less with the machine's background load than the ` +
        `tails do. ` +
        `The load generator is one Node.js process on the same 2 cores: a step is marked generator-bound when it ` +
        `used 80% of a core or could not send 95% of the offered rate, and a saturation figure so marked is the ` +
        `generator's, not the server's (Bench loop p99 is the generator's own event-loop delay: its share of the ` +
        `latencies).`,
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

/** One load shape on every server: connect, warm up, then step them all in lockstep until each search ends. */
async function saturateInLockstep(
  { options, failures }: BenchContext,
  servers: SaturationServer[],
  load: (typeof LOADS)[number],
): Promise<SaturationRun[]> {
  const connections = options.saturationConnections;
  const startRate = options.saturationStart / load.groupSize;
  const runners: Array<{
    server: SaturationServer;
    fanOut: FanOutLoad;
    plan: SaturationPlan;
    search: SaturationSearch;
  }> = [];
  try {
    for (const server of servers) {
      if (server.crash()) continue;
      const members = await server.members(connections, load.groupSize);
      const fanOut = await FanOutLoad.connect(
        (index) => server.wsUrl(index),
        members,
        server.pids[0] as number,
        {
          concurrency: options.connectConcurrency,
          bodyLength: BODY_LENGTH,
        },
      );
      const plan: SaturationPlan = {
        startRate,
        factor: options.saturationFactor,
        refine: options.saturationRefine,
        stepSec: options.saturationStepSec,
        maxSteps: options.saturationMaxSteps,
        groupSize: load.groupSize,
        serverPids: server.pids,
      };
      runners.push({ server, fanOut, plan, search: new SaturationSearch(plan) });
      const warmup = await fanOut.run(
        startRate / 2 / connections,
        Math.min(options.warmupSec, 2 * plan.stepSec),
      );
      failures.push(...ledgerFailures(`saturation ${load.name} ${server.label} warm-up`, warmup.counts));
    }
    for (;;) {
      const pending = runners.filter(({ search, server }) => search.nextRate !== null && !server.crash());
      if (pending.length === 0) break;
      for (const { server, fanOut, plan, search } of pending) {
        const rate = search.nextRate as number;
        await settle(runners.flatMap((runner) => runner.server.pids));
        const step = await measureStep(fanOut, rate, plan, connections);
        search.record(step);
        printStep(load.name, server.label, step);
        const label = `saturation ${load.name} ${server.label} @ ${Math.round(rate)} msg/s`;
        failures.push(...ledgerFailures(label, step.result.counts));
      }
    }
    for (const { server, fanOut } of runners) {
      if (fanOut.closedByServer > 0) {
        failures.push(
          `saturation ${load.name} ${server.label}: ${fanOut.closedByServer} sockets closed by the server`,
        );
      }
    }
    return runners.map(({ server, search }) => ({
      load: load.name,
      server: server.label,
      outcome: search.outcome,
    }));
  } finally {
    for (const { fanOut } of runners) await fanOut.close();
  }
}
