import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of a process, in bytes, from /proc/<pid>/status (VmRSS). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number {
  return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU seconds each thread of a process has used so far, by thread id; a thread gone meanwhile is left out. */
export function readThreadCpuSeconds(pid: number): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      seconds.set(Number(tid), statCpuSeconds(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return seconds;
}

/** utime + stime of a /proc `stat` line, in seconds. */
function statCpuSeconds(stat: string): number {
  // The command name (field 2) may hold spaces; the fields after it are space-separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based), so 11 and 12 after the name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
}

function readCpuSecondsIfAlive(pid: number): number {
  try {
    return readCpuSeconds(pid);
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds the whole machine has spent busy (all cores; steal included, as a
 * shared VM loses that time too), from the first line of /proc/stat.
 */
export function readMachineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    CLOCK_TICKS_PER_SEC
  );
}

/** USER_HZ: 100 on every Linux the bench targets. */
const CLOCK_TICKS_PER_SEC = 100;

export interface CpuUse {
  /** Fractions of one core. */
  server: number;
  bench: number;
  /** Everything else on the machine (other processes, steal): a busy shared machine shows here. */
  other: number;
  serverSeconds: number;
}

/**
 * CPU use of the server process and of the bench itself over a span, as a
 * fraction of one core: tells whether a figure measured the server or the load generator.
 */
export class CpuMeter {
  private readonly serverStart: number;
  private readonly selfStart = process.cpuUsage();
  private readonly machineStart = readMachineBusySeconds();
  private readonly wallStart = performance.now();

  constructor(private readonly serverPid: number) {
    this.serverStart = readCpuSeconds(serverPid);
  }

  /** Fractions of one core since construction, and the server's CPU seconds. */
  read(): CpuUse {
    const wallSec = (performance.now() - this.wallStart) / 1000;
    const self = process.cpuUsage(this.selfStart);
    // NaN once the server is gone (a crash the scenario reports on its own).
    const serverSeconds = readCpuSecondsIfAlive(this.serverPid) - this.serverStart;
    const benchSeconds = (self.user + self.system) / 1e6;
    const machineSeconds = readMachineBusySeconds() - this.machineStart;
    return {
      server: serverSeconds / wallSec,
      bench: benchSeconds / wallSec,
      other: Math.max(0, machineSeconds - (serverSeconds || 0) - benchSeconds) / wallSec,
      serverSeconds,
    };
  }
}
