import { resolve } from 'node:path';
import type { BenchContext } from './context';
import type { FanOutRow } from './fan-out-table';
import type { ScenarioReport } from './format';
import { machineInfo } from './machine';
import { loadOptions, type ScenarioName } from './options';
import { renderReport, writeReport } from './report';
import { runAckLatency } from './scenarios/ack-latency';
import { runBareWs } from './scenarios/bare-ws';
import { runBigGroup } from './scenarios/big-group';
import { runConnections } from './scenarios/connections';
import { runDataGrowth } from './scenarios/data-growth';
import { runFanOut } from './scenarios/fan-out';
import { runRestart } from './scenarios/restart';
import { runSaturation } from './scenarios/saturation';
import { runOptimisations } from './scenarios/optimisations';
import { runScaling } from './scenarios/scaling';
import { runSearch } from './scenarios/search';
import { runUpload } from './scenarios/upload';

/**
 * `npm run bench`: runs the scenarios in turn, each against a fresh server
 * process, prints their figures, writes the report, and exits non-zero only on
 * real failures (a crash, a lost / doubled / reordered message, a refused
 * socket), never on slow figures.
 */
const repoRoot = resolve(import.meta.dirname, '../..');

async function main(): Promise<number> {
  const options = loadOptions(process.env, process.argv.slice(2), resolve(repoRoot, 'docs/benchmarks.md'));
  const failures: string[] = [];
  const ctx: BenchContext = { repoRoot, options, failures };
  const machine = await machineInfo(repoRoot);
  console.log(
    `bench: ${options.quick ? 'quick' : 'full'} run of ${options.only.join(', ')} on ${machine.cpus} CPUs ` +
      `(${machine.cpuModel}), Node.js ${machine.node}; other processes busy ${machine.backgroundLoad.toFixed(2)} cores`,
  );
  if (machine.backgroundLoad > 0.5) {
    console.warn(
      'bench: the machine is busy with other work: expect noisy tail latencies (see the Other CPU columns)',
    );
  }
  const started = performance.now();
  const reports: ScenarioReport[] = [];
  let chatFanOut: FanOutRow[] = [];

  const scenarios: Record<ScenarioName, () => Promise<ScenarioReport>> = {
    ack: () => runAckLatency(ctx),
    fanout: async () => {
      const { report, rows } = await runFanOut(ctx);
      chatFanOut = rows;
      return report;
    },
    connections: () => runConnections(ctx),
    bare: () => runBareWs(ctx, chatFanOut),
    search: () => runSearch(ctx),
    scaling: () => runScaling(ctx),
    optimisations: () => runOptimisations(ctx),
    upload: () => runUpload(ctx),
    'data-growth': () => runDataGrowth(ctx),
    saturation: () => runSaturation(ctx),
    'big-group': () => runBigGroup(ctx),
    restart: () => runRestart(ctx),
  };

  for (const name of options.only) {
    const scenarioStart = performance.now();
    console.log(`\n[${name}]`);
    try {
      reports.push(await scenarios[name]());
    } catch (error) {
      console.error(error);
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    console.log(`  (${((performance.now() - scenarioStart) / 1000).toFixed(1)} s)`);
  }

  console.log(`\nbench: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (options.reportPath) {
    await writeReport(options.reportPath, renderReport(machine, options, reports, failures));
    console.log(`bench: report written to ${options.reportPath}`);
  }
  if (failures.length === 0) {
    console.log('bench: no failures');
    return 0;
  }
  console.error(
    `bench: ${failures.length} failure(s):\n${failures.map((failure) => `  - ${failure}`).join('\n')}`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
