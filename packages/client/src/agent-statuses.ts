import type { Clock } from './clock';
import type { AgentStatusEntry } from './types';

/**
 * The non-idle `agent_status` of each member of one conversation (v2 section 14). The server
 * relays an `idle` when a status lapses (60 s without a refresh, the agent sent, streamed or
 * disconnected); the expiry here is only a backstop for an `idle` that was lost with a socket.
 */
export class AgentStatuses {
  private readonly entries = new Map<string, { entry: AgentStatusEntry; timer: unknown }>();
  private cached: readonly AgentStatusEntry[] | undefined;

  constructor(
    private readonly clock: Clock,
    /** An entry not refreshed for this long is dropped. */
    private readonly expireMs: number,
    /** Called after an expiry removed an entry (not after `apply`, whose caller knows). */
    private readonly onExpired: () => void,
  ) {}

  /** The entries, oldest first; the SAME array until one changes. */
  get list(): readonly AgentStatusEntry[] {
    this.cached ??= Object.freeze([...this.entries.values()].map((item) => item.entry));
    return this.cached;
  }

  /** An `agent_status` event; returns whether the list changed. */
  apply(userId: string, status: 'thinking' | 'working' | 'idle', detail: string | null): boolean {
    const held = this.entries.get(userId);
    this.clock.clearTimeout(held?.timer);
    if (status === 'idle') {
      if (!held) return false;
      this.entries.delete(userId);
      this.cached = undefined;
      return true;
    }
    const timer = this.clock.setTimeout(() => {
      this.entries.delete(userId);
      this.cached = undefined;
      this.onExpired();
    }, this.expireMs);
    const same = held !== undefined && held.entry.status === status && held.entry.detail === detail;
    this.entries.set(userId, { entry: same ? held.entry : { user_id: userId, status, detail }, timer });
    if (same) return false;
    this.cached = undefined;
    return true;
  }

  /** Drops every entry (reconnect, leave, stop); returns whether there were any. */
  clear(): boolean {
    if (this.entries.size === 0) return false;
    for (const item of this.entries.values()) this.clock.clearTimeout(item.timer);
    this.entries.clear();
    this.cached = undefined;
    return true;
  }
}
