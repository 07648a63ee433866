import { resolve } from 'node:path';

/**
 * Bench options, from the environment (`BENCH_*`) or argv (`--quick`,
 * `--only=ack,fanout`, `--fanout-rates=1,5`: each `--foo-bar=x` is `BENCH_FOO_BAR=x`).
 * Defaults size a full run to about half an hour on a 2-core machine (issue
 * 13's targets: 19,000 sockets, 1,000,000 stored messages, every commit of the
 * send-path work built and run); `--quick` is a one-minute version of every
 * scenario that writes no report unless asked.
 */
export const SCENARIOS = [
  'ack',
  'fanout',
  'connections',
  'bare',
  'search',
  'scaling',
  'upload',
  'data-growth',
  'big-group',
  'restart',
  'saturation',
  'optimisations',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  quick: boolean;
  /** Scenarios to run, in the order of SCENARIOS. */
  only: ScenarioName[];
  /** Seconds of each measured step. */
  durationSec: number;
  /** Seconds of unrecorded load before the first step against a fresh server (JIT, caches). */
  warmupSec: number;
  /** Scenario 1: the fixed offered rate (msg/s) of the single sender. */
  ackRate: number;
  /** Scenario 1: sends kept in flight in the pipelined run. */
  window: number;
  /** Scenarios 2 and 4: connections, members per conversation, per-connection send rates (msg/s). */
  fanoutConnections: number;
  groupSize: number;
  fanoutRates: number[];
  /** Handshakes in flight at once where a scenario opens many sockets. */
  connectConcurrency: number;
  /** Scenario 3: sockets opened (a full run: what the fd limit of 20,000 holds), and handshakes in flight at once. */
  connections: number;
  capacityConcurrency: number;
  /** Characters in each message body. */
  bodyLength: number;
  /** Scenario 5: messages stored before searching, and searches timed per kind of query. */
  searchMessages: number;
  searchQueries: number;
  /** Scenario 8: messages, conversations and users stored, and requests timed per operation. */
  growthMessages: number;
  growthConversations: number;
  growthUsers: number;
  growthSamples: number;
  /** Requests per operation before the timed ones, unrecorded: the server's code paths compiled. */
  growthWarmup: number;
  /** Scenario 6: server processes to compare (each count on one PostgreSQL and one Redis). */
  scalingProcesses: number[];
  /**
   * Saturation: sockets per load shape, seconds per step, first offered deliveries/s,
   * step factor, the width its last bracket is narrowed to (≥ the factor: none),
   * step cap, PostgreSQL process counts.
   */
  saturationConnections: number;
  saturationStepSec: number;
  saturationStart: number;
  saturationFactor: number;
  saturationRefine: number;
  saturationMaxSteps: number;
  saturationProcesses: number[];
  /** Optimisations: offered deliveries/s at which every build is measured. */
  compareRates: number[];
  /** Big group: members of the one conversation, and messages a second sent into it in all. */
  bigGroupSize: number;
  bigGroupRate: number;
  /** Restart: clients (in conversations of `groupSize`) resuming after a SIGTERM, and messages a second sent meanwhile in all. */
  restartClients: number;
  restartSendRate: number;
  /** Markdown report to (re)write; null writes none. */
  reportPath: string | null;
  /** When set, every chat server runs with `--cpu-prof` and writes its profile here on exit. */
  cpuProfDir: string | null;
}

/** Every variable the bench reads; argv names map onto these. */
const KNOWN = [
  'QUICK',
  'ONLY',
  'DURATION',
  'WARMUP',
  'ACK_RATE',
  'WINDOW',
  'FANOUT_CONNECTIONS',
  'GROUP_SIZE',
  'FANOUT_RATES',
  'CONNECTIONS',
  'CONNECT_CONCURRENCY',
  'CAPACITY_CONCURRENCY',
  'BODY_LENGTH',
  'SEARCH_MESSAGES',
  'SEARCH_QUERIES',
  'SCALING_PROCESSES',
  'GROWTH_MESSAGES',
  'GROWTH_CONVERSATIONS',
  'GROWTH_USERS',
  'GROWTH_SAMPLES',
  'GROWTH_WARMUP',
  'SATURATION_CONNECTIONS',
  'SATURATION_STEP',
  'SATURATION_START',
  'SATURATION_FACTOR',
  'SATURATION_MAX_STEPS',
  'SATURATION_PROCESSES',
  'BIG_GROUP_SIZE',
  'BIG_GROUP_RATE',
  'RESTART_CLIENTS',
  'RESTART_SEND_RATE',
  'COMPARE_RATES',
  'REPORT',
  'CPU_PROF',
];

function argvToEnv(argv: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of argv) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    const name = match?.[1]?.replaceAll('-', '_').toUpperCase();
    if (!match || !name || !KNOWN.includes(name)) {
      const names = KNOWN.map((known) => `--${known.toLowerCase().replaceAll('_', '-')}`).join(', ');
      throw new Error(`unknown argument ${arg} (one of ${names}, as --name=value)`);
    }
    env[`BENCH_${name}`] = match[2] ?? '1';
  }
  return env;
}

function positiveNumber(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

function numberList(env: Record<string, string | undefined>, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const values = raw.split(',').map(Number);
  if (values.some((value) => !Number.isFinite(value) || value <= 0)) {
    throw new Error(`${name} must be a comma-separated list of positive numbers, got ${raw}`);
  }
  return values;
}

export function loadOptions(
  processEnv: NodeJS.ProcessEnv = process.env,
  argv: string[] = process.argv.slice(2),
  defaultReportPath: string,
): BenchOptions {
  const env: Record<string, string | undefined> = { ...processEnv, ...argvToEnv(argv) };
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const only = (env.BENCH_ONLY ?? SCENARIOS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of only) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`BENCH_ONLY: unknown scenario ${name} (one of ${SCENARIOS.join(', ')})`);
    }
  }
  const report = env.BENCH_REPORT;
  const int = (name: string, full: number, smoke: number) =>
    Math.round(positiveNumber(env, name, quick ? smoke : full));
  return {
    quick,
    only: SCENARIOS.filter((name) => only.includes(name)),
    durationSec: positiveNumber(env, 'BENCH_DURATION', quick ? 1 : 10),
    warmupSec: positiveNumber(env, 'BENCH_WARMUP', quick ? 0.5 : 2),
    ackRate: int('BENCH_ACK_RATE', 500, 300),
    window: int('BENCH_WINDOW', 256, 128),
    fanoutConnections: int('BENCH_FANOUT_CONNECTIONS', 200, 100),
    groupSize: int('BENCH_GROUP_SIZE', 10, 10),
    fanoutRates: numberList(env, 'BENCH_FANOUT_RATES', quick ? [2] : [1, 5, 10]),
    connections: int('BENCH_CONNECTIONS', 19_000, 1000),
    connectConcurrency: int('BENCH_CONNECT_CONCURRENCY', 100, 50),
    capacityConcurrency: int('BENCH_CAPACITY_CONCURRENCY', 2000, 1000),
    bodyLength: int('BENCH_BODY_LENGTH', 64, 64),
    searchMessages: int('BENCH_SEARCH_MESSAGES', 100_000, 3_000),
    searchQueries: int('BENCH_SEARCH_QUERIES', 200, 20),
    growthMessages: int('BENCH_GROWTH_MESSAGES', 1_000_000, 20_000),
    growthConversations: int('BENCH_GROWTH_CONVERSATIONS', 10_000, 10_000),
    growthUsers: int('BENCH_GROWTH_USERS', 10_000, 10_000),
    growthSamples: int('BENCH_GROWTH_SAMPLES', 200, 20),
    growthWarmup: int('BENCH_GROWTH_WARMUP', 300, 20),
    scalingProcesses: numberList(env, 'BENCH_SCALING_PROCESSES', quick ? [1, 2] : [1, 2, 3]).map(Math.round),
    saturationConnections: int('BENCH_SATURATION_CONNECTIONS', 100, 100),
    saturationStepSec: positiveNumber(env, 'BENCH_SATURATION_STEP', quick ? 0.5 : 3),
    saturationStart: positiveNumber(env, 'BENCH_SATURATION_START', quick ? 8000 : 2000),
    saturationFactor: Math.max(1.1, positiveNumber(env, 'BENCH_SATURATION_FACTOR', quick ? 2 : 1.5)),
    saturationRefine: Math.max(1.02, positiveNumber(env, 'BENCH_SATURATION_REFINE', quick ? 2 : 1.12)),
    saturationMaxSteps: int('BENCH_SATURATION_MAX_STEPS', 14, 3),
    compareRates: numberList(env, 'BENCH_COMPARE_RATES', quick ? [4000] : [8000, 20000]).map(Math.round),
    saturationProcesses: numberList(env, 'BENCH_SATURATION_PROCESSES', quick ? [1] : [1, 2]).map(Math.round),
    bigGroupSize: int('BENCH_BIG_GROUP_SIZE', 1000, 300),
    bigGroupRate: positiveNumber(env, 'BENCH_BIG_GROUP_RATE', 20),
    restartClients: int('BENCH_RESTART_CLIENTS', 19_000, 500),
    restartSendRate: positiveNumber(env, 'BENCH_RESTART_SEND_RATE', quick ? 50 : 200),
    reportPath: report === 'none' || report === '' ? null : (report ?? (quick ? null : defaultReportPath)),
    cpuProfDir: env.BENCH_CPU_PROF?.trim() ? resolve(env.BENCH_CPU_PROF) : null,
  };
}
