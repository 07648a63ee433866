import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { readMachineBusySeconds } from './proc-stats';

/** Where the figures were measured, for the report's header. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memory: string;
  kernel: string;
  node: string;
  commit: string;
  /** What the rest of the machine used just before the run, in cores (a shared machine makes tails noisy). */
  backgroundLoad: number;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function gitCommit(cwd: string): string {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (result.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' }).stdout.trim() !== '';
  return `${result.stdout.trim()}${dirty ? ' (with uncommitted changes)' : ''}`;
}

/** CPU the machine spends outside this process over `ms`, in cores. */
async function backgroundLoad(ms: number): Promise<number> {
  const machineStart = readMachineBusySeconds();
  const selfStart = process.cpuUsage();
  const wallStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const self = process.cpuUsage(selfStart);
  const busy = readMachineBusySeconds() - machineStart - (self.user + self.system) / 1e6;
  return Math.max(0, busy) / ((performance.now() - wallStart) / 1000);
}

export async function machineInfo(repoRoot: string): Promise<MachineInfo> {
  return {
    backgroundLoad: await backgroundLoad(1000),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: `Linux ${release()}`,
    node: process.version,
    commit: gitCommit(repoRoot),
  };
}
