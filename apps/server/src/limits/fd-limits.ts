import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The process's open-file limits; Infinity stands for "unlimited". */
export interface FdLimits {
  soft: number;
  hard: number;
}

/** What raising the soft limit to the hard one came to: the limits now, and why they stayed if they did. */
export interface FdLimitsAtStart {
  limits: FdLimits | null;
  /** The soft limit before, when it was raised. */
  raisedFrom: number | null;
  /** Why the soft limit stayed below the hard one (or could not be read); null when nothing was left to do. */
  unchangedReason: string | null;
}

/**
 * Descriptors kept back from WebSocket connections for everything else the
 * process opens: Node's own (epoll, event fds, stdio, the libuv thread pool),
 * storage (SQLite's database, WAL and shm files; a PostgreSQL pool), Redis,
 * plain HTTP requests (REST, uploads, static files, /metrics), outbound webhooks
 * (up to 20 at once) and push sends, attachment files. 5% of the limit, at least
 * 64 and at most 1,000: at 20,000 that leaves 19,000 sockets.
 */
export function fdReserve(softLimit: number): number {
  return Math.min(1000, Math.max(64, Math.floor(softLimit * 0.05)));
}

/** How many WebSocket connections a soft limit leaves room for. */
export function connectionCapacityFor(softLimit: number): number {
  if (!Number.isFinite(softLimit)) return Number.MAX_SAFE_INTEGER;
  return Math.max(1, softLimit - fdReserve(softLimit));
}

/** Reads "Max open files" of /proc/self/limits (Linux); null elsewhere. */
export function readFdLimits(limitsFile = '/proc/self/limits'): FdLimits | null {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return null; // not Linux: no /proc
  }
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const parse = (value: string) => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value));
  const limits = { soft: parse(match[1]), hard: parse(match[2]) };
  return Number.isNaN(limits.soft) || Number.isNaN(limits.hard) ? null : limits;
}

/**
 * Raises this process's soft open-file limit to its hard limit. Node itself
 * does so as it starts on POSIX (node.cc), so this mostly confirms it; where
 * the soft limit is still lower (lowered since, or Node's attempt failed) it
 * runs util-linux `prlimit` on its own pid, Node having no setrlimit. Without
 * it the limit stays and the reason says so (the capacity follows the soft limit).
 */
export function raiseFdSoftLimit(limitsFile = '/proc/self/limits'): FdLimitsAtStart {
  const before = readFdLimits(limitsFile);
  if (before === null) {
    return {
      limits: null,
      raisedFrom: null,
      unchangedReason: `cannot read the open-file limit (${limitsFile})`,
    };
  }
  if (before.soft >= before.hard) return { limits: before, raisedFrom: null, unchangedReason: null };
  const hard = Number.isFinite(before.hard) ? String(before.hard) : 'unlimited';
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 5000,
    });
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'prlimit (util-linux) is not installed'
        : `prlimit failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
    return { limits: before, raisedFrom: null, unchangedReason: reason };
  }
  const after = readFdLimits(limitsFile) ?? before;
  return after.soft > before.soft
    ? { limits: after, raisedFrom: before.soft, unchangedReason: null }
    : { limits: after, raisedFrom: null, unchangedReason: 'prlimit ran but the soft limit did not change' };
}
