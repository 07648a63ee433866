import type { Cancel, Clock } from '../clock';
import type { Connection } from './connection';

/** Each connection is pinged once per interval, by one of this many ticks spread over it. */
const SLICES = 30;

/**
 * The server's side of the heartbeat: every connection is pinged once per
 * interval and terminated at its next turn if it did not answer (a pong or
 * any frame) since. Connections are dealt round-robin into slices, one slice
 * pinged per tick, so 19,000 sockets cost a few hundred pings a tick instead
 * of one 0.4 s stall of the event loop per interval (issue 13).
 */
export class Heartbeat {
  private readonly slices: Array<Set<Connection>> = Array.from({ length: SLICES }, () => new Set());
  private nextSlice = 0;
  private tick = 0;
  private readonly cancel: Cancel;

  constructor(clock: Clock, intervalMs: number) {
    this.cancel = clock.setInterval(() => this.beat(), Math.max(1, Math.floor(intervalMs / SLICES)));
  }

  add(connection: Connection): void {
    // The connection keeps its slice's number: a map from connection to slice cost each socket an entry.
    connection.heartbeatSlice = this.nextSlice++ % SLICES;
    this.slices[connection.heartbeatSlice]?.add(connection);
  }

  delete(connection: Connection): void {
    this.slices[connection.heartbeatSlice]?.delete(connection);
    connection.heartbeatSlice = -1;
  }

  stop(): void {
    this.cancel();
  }

  private beat(): void {
    const slice = this.slices[this.tick++ % SLICES] as Set<Connection>;
    for (const connection of slice) {
      if (!connection.isAlive) {
        connection.terminate();
        continue;
      }
      connection.isAlive = false;
      connection.socket.ping();
    }
  }
}
