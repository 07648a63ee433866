import type { BenchContext } from '../context';
import { buildCommit, type CommitBuild } from '../commit-builds';
import { startChatServer } from '../chat-server';
import { FanOutLoad } from '../fan-out-load';
import { int, ms, otherCpu, percent, table, type ScenarioReport } from '../format';
import { ledgerFailures } from '../ledger';
import { measureStep, settle, type SaturationStep } from '../saturation-search';
import { chatServers, type SaturationServer } from '../saturation-servers';
import { serverUsPerDelivery } from '../saturation-table';

/**
 * Issue 13's send-path work, one commit per optimisation, oldest first: each
 * build adds one change to the one before. The last row is this tree.
 */
const DEFAULT_BUILDS: Array<[label: string, commit: string]> = [
  ['before (v2 as issue 13 found it)', 'b538a96'],
  ['+ SQLite writer thread', '57825de'],
  ['+ one write per socket and turn, plain-number frame tallies', '5f4cef4'],
  ['+ push/webhook audience read by the writer', 'a2ebd83'],
  ['+ no promise per frame, broadcast encoded once', '0ea3c3c'],
  ['+ WAL checkpoint every 10,000 pages', '826eb2c'],
  ['+ search index filled in bulk', 'c0fdd6d'],
  // Changes off the SQLite send path since (list, PostgreSQL, token checks).
  ['+ later changes off this path (list, PostgreSQL, tokens)', 'e85f660'],
  ['+ writer pipeline, group commit on the writer thread', 'ee65195'],
  ['+ UUIDv7 message ids, an unused index dropped', 'e630c4d'],
  ['+ only changed messages indexed by updated_seq', '415485d'],
  ['+ the checkpointer thread', '9ba7fca'],
  ["+ the writer's 8 MiB page cache", '3617610'],
  // The row "this tree" then adds the WAL started over by the writer (383bf38).
];

/**
 * Three of those commits took along half of the conversation-list change made
 * at the same time (07dc577): they get its other half, which the send path
 * never runs, so that they start.
 */
const LIST_CHANGE = {
  commit: '07dc577',
  paths: [
    'apps/server/src/http/conversation-routes.ts',
    'apps/server/src/storage/postgres/conversation-view.ts',
    'apps/server/src/storage/postgres/conversations.ts',
    'apps/server/src/storage/postgres/postgres-storage.ts',
    'apps/server/src/storage/sqlite/conversation-view.ts',
    'apps/server/src/storage/sqlite/conversations.ts',
    'apps/server/src/storage/sqlite/rows.ts',
  ],
};
const NEEDS_LIST_CHANGE = new Set(['57825de', '5f4cef4', 'a2ebd83']);

const BODY_LENGTH = 100;
const LOADS = [
  { name: 'dm', groupSize: 2 },
  { name: 'group of 10', groupSize: 10 },
] as const;

interface Row {
  load: string;
  build: string;
  step: SaturationStep;
}

/**
 * What each optimisation bought, in one run (issue 13, acceptance 2): the
 * server as built at each commit of the send-path work, all running at once on
 * SQLite (FULL), each offered the same dm and group loads back to back at the
 * same rates. Server CPU per delivered frame is the figure that holds on a
 * shared machine; p99 shows what the queueing made of it.
 */
export async function runOptimisations(ctx: BenchContext): Promise<ScenarioReport> {
  const { options, repoRoot, failures } = ctx;
  if (options.quick) {
    // Building the earlier commits alone takes longer than a whole quick run.
    console.log('  full runs only: it builds the server at each commit of the send-path work');
    return { title: 'What each optimisation bought', markdown: 'Full runs only.' };
  }
  const builds: Array<CommitBuild | { label: string; commit: string; entry: undefined }> = [];
  for (const [label, commit] of DEFAULT_BUILDS) {
    console.log(`  building ${commit} (${label})`);
    builds.push(
      buildCommit(repoRoot, label, commit, NEEDS_LIST_CHANGE.has(commit) ? LIST_CHANGE : undefined),
    );
  }
  builds.push({ label: 'this tree', commit: 'HEAD+', entry: undefined });

  const servers: SaturationServer[] = [];
  const rows: Row[] = [];
  try {
    for (const build of builds) {
      const server = await startChatServer(repoRoot, { entry: build.entry });
      servers.push(chatServers(build.label, [server], server.jwtSecret));
    }
    for (const load of LOADS) {
      const connections = options.saturationConnections;
      const loads: FanOutLoad[] = [];
      try {
        for (const server of servers) {
          const members = await server.members(connections, load.groupSize);
          loads.push(
            await FanOutLoad.connect((index) => server.wsUrl(index), members, server.pids[0] as number, {
              concurrency: options.connectConcurrency,
              bodyLength: BODY_LENGTH,
            }),
          );
        }
        for (const [index, fanOut] of loads.entries()) {
          const warmup = await fanOut.run(
            options.compareRates[0]! / load.groupSize / connections,
            options.warmupSec,
          );
          failures.push(
            ...ledgerFailures(`optimisations ${load.name} ${servers[index]!.label} warm-up`, warmup.counts),
          );
        }
        for (const deliveries of options.compareRates) {
          for (const [index, fanOut] of loads.entries()) {
            const server = servers[index]!;
            const plan = {
              stepSec: options.saturationStepSec,
              groupSize: load.groupSize,
              serverPids: server.pids,
            };
            await settle(servers.flatMap((candidate) => candidate.pids));
            const step = await measureStep(fanOut, deliveries / load.groupSize, plan, connections);
            failures.push(
              ...ledgerFailures(
                `optimisations ${load.name} ${server.label} @ ${deliveries}`,
                step.result.counts,
              ),
            );
            rows.push({ load: load.name, build: server.label, step });
            console.log(
              `  ${load.name} ${server.label} @ ${int(deliveries)} deliveries/s: ` +
                `${int(step.result.deliveredPerSec)}/s, p50 ${ms(step.result.endToEnd.p50)} p99 ${ms(step.result.endToEnd.p99)} ms, ` +
                `${serverUsPerDelivery(step).toFixed(1)} µs/delivery, server ${percent(step.serverCpu)}`,
            );
          }
        }
      } finally {
        for (const fanOut of loads) await fanOut.close();
      }
    }
  } finally {
    for (const server of servers) failures.push(...(await server.stop()));
  }

  const first = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.load}@${row.step.offeredDeliveries}`;
    if (!first.has(key)) first.set(key, serverUsPerDelivery(row.step));
  }
  return {
    title: 'What each optimisation bought (the send path at each commit, same run)',
    markdown: [
      `Each build is the server at one commit of issue 13's send-path work (\`git worktree\` + its own ` +
        `scripts/build.mjs), all running at once on SQLite with the default durability (FULL), offered the ` +
        `same open-loop loads back to back: ${options.saturationConnections} sockets, ${BODY_LENGTH}-byte bodies, ` +
        `dm (conversations of 2) and group (of 10), ${options.compareRates.map(int).join(' and ')} deliveries/s, ` +
        `${options.saturationStepSec} s a step. µs/delivery is the server's CPU (every thread) per delivered ` +
        `\`message\` frame; "vs before" divides the first build's by this one's.`,
      '',
      table(
        [
          'Load',
          'Offered deliveries/s',
          'Build',
          'Commit',
          'Delivered/s',
          'e2e p50 ms',
          'e2e p99 ms',
          'Server CPU',
          'µs/delivery',
          'vs before',
          'Other CPU',
        ],
        rows.map(({ load, build, step }) => {
          const us = serverUsPerDelivery(step);
          const base = first.get(`${load}@${step.offeredDeliveries}`) ?? Number.NaN;
          return [
            load,
            int(step.offeredDeliveries),
            build,
            builds.find((candidate) => candidate.label === build)?.commit ?? '',
            int(step.result.deliveredPerSec),
            ms(step.result.endToEnd.p50),
            ms(step.result.endToEnd.p99),
            percent(step.serverCpu),
            us.toFixed(1),
            `${(base / us).toFixed(2)}×`,
            otherCpu(step.otherCpu),
          ];
        }),
      ),
    ].join('\n'),
  };
}
