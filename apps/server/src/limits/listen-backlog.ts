import { readFileSync } from 'node:fs';

/** The listen backlog asked for, and what the kernel makes of it. */
export interface ListenBacklog {
  requested: number;
  /** net.core.somaxconn: the kernel silently caps every listen backlog at it. */
  somaxconn: number | null;
  /** net.ipv4.tcp_max_syn_backlog: half-open connections held (past it SYN cookies, when on, take over). */
  synBacklog: number | null;
  /** The accept queue the socket really gets. */
  effective: number;
}

function readSysctl(file: string): number | null {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(value) ? value : null;
  } catch {
    return null; // not Linux, or /proc/sys hidden: the kernel's cap is unknown
  }
}

/**
 * What a listen backlog of `requested` comes to on this kernel. A connect storm
 * (every client of a restarted server at once) overflows a short accept queue:
 * the kernel drops the SYNs and each client waits a second or more to retry.
 */
export function listenBacklogFor(requested: number, procSys = '/proc/sys'): ListenBacklog {
  const somaxconn = readSysctl(`${procSys}/net/core/somaxconn`);
  const synBacklog = readSysctl(`${procSys}/net/ipv4/tcp_max_syn_backlog`);
  return {
    requested,
    somaxconn,
    synBacklog,
    effective: somaxconn === null ? requested : Math.min(requested, somaxconn),
  };
}
