import { resolve } from 'node:path';
import { startChatServer } from './chat-server';
import { buildCommit } from './commit-builds';
import { FanOutLoad } from './fan-out-load';
import { int, ms } from './format';
import { readThreadCpuSeconds } from './proc-stats';
import { measureStep, settle } from './saturation-search';
import { chatServers, type SaturationServer } from './saturation-servers';
import { serverUsPerDelivery } from './saturation-table';

/**
 * Two builds of the server on SQLite, the same open-loop load offered to each
 * in turn, several rounds, the order swapped every round; medians per rate.
 * Where scenario 12 gives every build one step, this is for one change on a
 * noisy machine: a difference of 10% shows only when it holds round after round.
 * Prints the server's CPU per delivery and each thread's CPU per message (the
 * busiest thread besides the main one is the SQLite writer).
 *
 *   npm run compare -w @chat/bench -- --a=3617610~1 --b=HEAD+ --rates=2500,3500 --rounds=6 --group=2
 *
 * `HEAD+` is this tree as built by `npm run build`; any other value is a commit,
 * built in a worktree of its own. Rates are messages/s over 100 sockets.
 */
const CONNECTIONS = 100;
const BODY_LENGTH = 100;
const STEP_SEC = 3;

interface Sample {
  usPerDelivery: number;
  mainUsPerMessage: number;
  writerUsPerMessage: number;
  p50: number;
  p99: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const repoRoot = resolve(import.meta.dirname, '../..');
  const revisions = [args.get('a') ?? 'HEAD~1', args.get('b') ?? 'HEAD+'];
  const rates = (args.get('rates') ?? '2500,3500').split(',').map((rate) => positive('rates', rate));
  const rounds = Math.round(positive('rounds', args.get('rounds') ?? '6'));
  const groupSize = Math.round(positive('group', args.get('group') ?? '2'));

  const servers: SaturationServer[] = [];
  const loads: FanOutLoad[] = [];
  const samples = new Map<string, Sample[]>();
  try {
    for (const revision of revisions) {
      const entry = revision === 'HEAD+' ? undefined : buildCommit(repoRoot, revision, revision).entry;
      const server = await startChatServer(repoRoot, { entry });
      servers.push(chatServers(revision, [server], server.jwtSecret));
    }
    for (const server of servers) {
      const members = await server.members(CONNECTIONS, groupSize);
      const load = await FanOutLoad.connect((index) => server.wsUrl(index), members, server.pids[0]!, {
        concurrency: 50,
        bodyLength: BODY_LENGTH,
      });
      await load.run(rates[0]! / 2 / CONNECTIONS, 2);
      loads.push(load);
    }
    const allPids = servers.flatMap((server) => server.pids);
    for (let round = 0; round < rounds; round++) {
      for (const rate of rates) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const index of order) {
          const server = servers[index]!;
          const pid = server.pids[0]!;
          await settle(allPids);
          const before = readThreadCpuSeconds(pid);
          const plan = { stepSec: STEP_SEC, groupSize, serverPids: server.pids };
          const step = await measureStep(loads[index]!, rate, plan, CONNECTIONS);
          const used = [...readThreadCpuSeconds(pid)].map(([tid, seconds]): [number, number] => [
            tid,
            seconds - (before.get(tid) ?? 0),
          ]);
          const messages = step.result.counts.delivered / groupSize;
          const perMessage = (seconds: number) => (seconds * 1e6) / messages;
          const mainSeconds = used.find(([tid]) => tid === pid)?.[1] ?? 0;
          const writerSeconds = Math.max(0, ...used.filter(([tid]) => tid !== pid).map(([, s]) => s));
          const sample: Sample = {
            usPerDelivery: serverUsPerDelivery(step),
            mainUsPerMessage: perMessage(mainSeconds),
            writerUsPerMessage: perMessage(writerSeconds),
            p50: step.result.endToEnd.p50,
            p99: step.result.endToEnd.p99,
          };
          const key = `${rate}\t${server.label}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          console.log(`round ${round + 1} ${int(rate)} msg/s ${server.label}: ${describe(sample)}`);
        }
      }
    }
  } finally {
    for (const load of loads) await load.close();
    for (const server of servers) {
      const failures = await server.stop();
      if (failures.length > 0) console.error(failures.join('\n'));
    }
  }
  console.log('\nMedians:');
  for (const [key, list] of samples) {
    const [rate, label] = key.split('\t');
    const median = (pick: (sample: Sample) => number) => {
      const sorted = list.map(pick).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    console.log(
      `${int(Number(rate))} msg/s ${label}: ${describe({
        usPerDelivery: median((s) => s.usPerDelivery),
        mainUsPerMessage: median((s) => s.mainUsPerMessage),
        writerUsPerMessage: median((s) => s.writerUsPerMessage),
        p50: median((s) => s.p50),
        p99: median((s) => s.p99),
      })}`,
    );
  }
}

const ARGUMENTS = ['a', 'b', 'rates', 'rounds', 'group'];

/** `--name=value` arguments; anything else, or a name not in ARGUMENTS, is refused. */
function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match || !ARGUMENTS.includes(match[1] as string)) {
      throw new Error(
        `unknown argument ${arg} (one of ${ARGUMENTS.map((name) => `--${name}=…`).join(', ')})`,
      );
    }
    args.set(match[1] as string, match[2] as string);
  }
  return args;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: ${text} is not a positive number`);
  return value;
}

function describe(sample: Sample): string {
  return (
    `${sample.usPerDelivery.toFixed(1)} µs/delivery, main thread ${sample.mainUsPerMessage.toFixed(0)} ` +
    `and writer ${sample.writerUsPerMessage.toFixed(0)} µs/message, p50 ${ms(sample.p50)} p99 ${ms(sample.p99)} ms`
  );
}

await main();
