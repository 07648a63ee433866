import type { Clock } from '../clock';
import { countOpenFds, fdBudget, fdReserve, raiseFdSoftLimit } from '../limits/fd-limits';
import type { Logger } from '../logger';

/** A refusal is logged at most this often, with the count since the last line: a full server must not flood its log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** Crossing this share of the capacity warns once... */
const NEAR_FULL_SHARE = 0.9;
/** ...and falling back under this one says so, once (the gap keeps a busy edge from logging each socket). */
const RECOVERED_SHARE = 0.8;

/** Why a connection was turned away: the WebSocket capacity, or the process's whole socket cap. */
export type RefusalReason = 'websocket capacity reached' | 'socket limit reached: connection dropped';

/**
 * The WebSocket connections this process accepts, a cap below its
 * file-descriptor limit (limits/fd-limits.ts): past it an upgrade is answered
 * 503 instead of the kernel resetting connections once descriptors run out.
 * Warns as the count nears the cap and logs refusals, rate-limited.
 */
export class ConnectionCapacity {
  private open = 0;
  private nearFull = false;
  private readonly refusals = new Map<RefusalReason, { since: number; lastLoggedAt: number }>();

  constructor(
    readonly limit: number,
    private readonly deps: { log: Logger; clock: Clock },
  ) {}

  get count(): number {
    return this.open;
  }

  /** Counts one more connection, or answers false (and logs the refusal) when the cap is reached. */
  tryTake(): boolean {
    if (this.open >= this.limit) {
      this.refused('websocket capacity reached');
      return false;
    }
    this.open++;
    if (!this.nearFull && this.open >= Math.ceil(this.limit * NEAR_FULL_SHARE)) {
      this.nearFull = true;
      this.deps.log.warn(
        { connections: this.open, capacity: this.limit },
        `connections at ${Math.round(NEAR_FULL_SHARE * 100)}% of capacity: new ones are refused past ${this.limit}`,
      );
    }
    return true;
  }

  release(): void {
    this.open = Math.max(0, this.open - 1);
    if (this.nearFull && this.open < this.limit * RECOVERED_SHARE) {
      this.nearFull = false;
      this.deps.log.info(
        { connections: this.open, capacity: this.limit },
        `connections back under ${Math.round(RECOVERED_SHARE * 100)}% of capacity`,
      );
    }
  }

  /** Logs a refusal: the first at once, then one line per interval with how many were refused since. */
  refused(reason: RefusalReason): void {
    const now = this.deps.clock.now();
    const entry = this.refusals.get(reason) ?? { since: 0, lastLoggedAt: Number.NEGATIVE_INFINITY };
    this.refusals.set(reason, entry);
    entry.since++;
    if (now - entry.lastLoggedAt < REFUSAL_LOG_INTERVAL_MS) return;
    this.deps.log.warn(
      { reason, refusedSinceLastLog: entry.since, connections: this.open, capacity: this.limit },
      `connection refused: ${reason}`,
    );
    entry.since = 0;
    entry.lastLoggedAt = now;
  }
}

/** The capacity of this process, worked out at start and logged, with the cap of all its sockets. */
export interface CapacityAtStart {
  capacity: ConnectionCapacity;
  /**
   * Every TCP socket of the server (WebSocket and plain HTTP) past which the
   * server drops new ones at accept (limits/fd-limits.ts fdBudget). null: no
   * limit known.
   */
  socketLimit: number | null;
}

/**
 * Raises the fd soft limit to the hard one, works out how many connections
 * that holds (or takes MAX_CONNECTIONS) and logs it: an operator sees the
 * ceiling before the first refusal.
 */
export function openConnectionCapacity(deps: {
  maxConnections: number | undefined;
  log: Logger;
  clock: Clock;
  onCapacity: (capacity: number) => void;
}): CapacityAtStart {
  const { log } = deps;
  const fd = raiseFdSoftLimit();
  const soft = fd.limits?.soft ?? Number.POSITIVE_INFINITY;
  const openAtStart = countOpenFds();
  const budget = fdBudget(soft, openAtStart);
  const limit = deps.maxConnections ?? budget.capacity;
  const shown = (value: number) => (Number.isFinite(value) ? value : 'unlimited');
  if (fd.unchangedReason !== null) {
    log.warn(
      { fdSoft: fd.limits?.soft, fdHard: fd.limits?.hard },
      `fd soft limit left as it was: ${fd.unchangedReason}`,
    );
  }
  log.info(
    {
      fdSoft: shown(soft),
      fdHard: shown(fd.limits?.hard ?? Number.POSITIVE_INFINITY),
      fdSoftBefore: fd.raisedFrom ?? undefined,
      fdReserve: Number.isFinite(soft) ? fdReserve(soft) : undefined,
      fdOpenAtStart: openAtStart,
      capacity: limit,
      socketLimit: Number.isFinite(soft) ? budget.socketLimit : undefined,
    },
    `can hold ${limit} connections`,
  );
  if (limit > budget.capacity) {
    log.warn(
      { maxConnections: limit, fdCapacity: budget.capacity },
      'MAX_CONNECTIONS is above what the fd limit leaves: past that, connections are dropped at accept',
    );
  }
  deps.onCapacity(limit);
  return {
    capacity: new ConnectionCapacity(limit, deps),
    socketLimit: Number.isFinite(soft) ? budget.socketLimit : null,
  };
}
