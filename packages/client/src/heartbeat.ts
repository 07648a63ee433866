import type { Clock } from './clock';

export interface HeartbeatConfig {
  intervalMs: number;
  timeoutMs: number;
  sendPing: () => void;
  /** No pong within timeoutMs of a ping: the socket is dead (half-open) and must be dropped. */
  onDead: () => void;
  clock: Clock;
}

/**
 * The application heartbeat of one socket: `ping` every intervalMs, and a pong
 * must come back within timeoutMs. TCP alone can take minutes to notice a
 * half-open connection (a sleeping laptop, a NAT that forgot us); this notices
 * in at most intervalMs + timeoutMs.
 */
export class Heartbeat {
  private interval: unknown;
  private deadline: unknown;

  constructor(private readonly config: HeartbeatConfig) {}

  start(): void {
    this.stop();
    this.schedule();
  }

  stop(): void {
    this.config.clock.clearTimeout(this.interval);
    this.config.clock.clearTimeout(this.deadline);
    this.interval = undefined;
    this.deadline = undefined;
  }

  /** Ping now (e.g. when the page becomes visible again), unless a ping is already out. */
  ping(): void {
    if (this.deadline !== undefined) return;
    this.deadline = this.config.clock.setTimeout(() => {
      this.deadline = undefined;
      this.config.onDead();
    }, this.config.timeoutMs);
    this.config.sendPing();
  }

  pong(): void {
    this.config.clock.clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  /** The Clock has no interval: each tick arms the next, as setInterval would. */
  private schedule(): void {
    this.interval = this.config.clock.setTimeout(() => {
      this.schedule();
      this.ping();
    }, this.config.intervalMs);
  }
}
