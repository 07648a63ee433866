import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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
 * Descriptors kept back from WebSocket connections for what the process opens
 * after it starts: plain HTTP requests (REST, uploads, static files, /metrics),
 * a PostgreSQL pool's later connections, Redis reconnects, outbound webhooks
 * (up to 20 at once) and push sends, attachment files. 5% of the limit, at
 * least 64 and at most 1,000: at 20,000 that leaves 19,000 sockets.
 */
export function fdReserve(softLimit: number): number {
  return Math.min(1000, Math.max(64, Math.floor(softLimit * 0.05)));
}

/** How a soft limit is shared out, given the descriptors already open at start. */
export interface FdBudget {
  /** WebSocket connections the process takes; the upgrade past them is answered 503. */
  capacity: number;
  /** Every TCP socket of the server (WebSocket and plain HTTP); past it new ones are dropped at accept, logged. */
  socketLimit: number;
}

/**
 * Shares a soft limit out. What is open at start (Node's own epoll and event
 * fds, stdio, worker threads, SQLite's database, WAL and shm files on two
 * connections) is counted, not guessed: the reserve holds it when it fits,
 * and under a small limit, where it would not, it comes on top of half the
 * reserve. Of what is kept back and not yet open, half is left to plain HTTP
 * sockets (the socket limit sits there) and half to files and outbound
 * connections, so the kernel never runs out of descriptors before the server
 * has refused, with a logged reason, what would not fit.
 */
export function fdBudget(softLimit: number, openAtStart: number): FdBudget {
  if (!Number.isFinite(softLimit)) {
    return { capacity: Number.MAX_SAFE_INTEGER, socketLimit: Number.MAX_SAFE_INTEGER };
  }
  const reserve = fdReserve(softLimit);
  const keptBack = Math.max(reserve, openAtStart + Math.floor(reserve / 2));
  const notYetOpen = keptBack - openAtStart;
  return {
    capacity: Math.max(1, softLimit - keptBack),
    socketLimit: Math.max(1, softLimit - openAtStart - Math.floor(notYetOpen / 2)),
  };
}

/** How many descriptors this process has open (Linux's /proc/self/fd); 0 where that cannot be read. */
export function countOpenFds(fdDir = '/proc/self/fd'): number {
  try {
    // The listing includes the descriptor that reads the directory itself.
    return Math.max(0, readdirSync(fdDir).length - 1);
  } catch {
    return 0; // not Linux: no /proc
  }
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
