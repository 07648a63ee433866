import type { AgentStatus } from '@chat/protocol';
import type { Cancel, Clock } from '../clock';

interface Held {
  status: Exclude<AgentStatus, 'idle'>;
  detail: string | null;
  connectionId: string;
  cancelExpiry: Cancel;
}

/**
 * What each member (an agent, usually) says it is doing in each conversation,
 * for the statuses set through this process (section 14). Every status is
 * announced, a refresh too (other processes' rooms expire what is not
 * refreshed). It returns to `idle`, announced, when the user sets `idle`, sends
 * or streams there, after `ttlMs` without a refresh, or when the connection
 * that set it closes.
 */
export class AgentStatusTracker {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly deps: {
      ttlMs: number;
      clock: Clock;
      announce: (conversationId: string, userId: string, status: AgentStatus, detail: string | null) => void;
    },
  ) {}

  set(
    conversationId: string,
    userId: string,
    connectionId: string,
    status: AgentStatus,
    detail: string | null,
  ): void {
    if (status === 'idle') {
      this.end(conversationId, userId);
      return;
    }
    const key = keyOf(conversationId, userId);
    this.held.get(key)?.cancelExpiry();
    const cancelExpiry = this.deps.clock.setTimeout(() => this.end(conversationId, userId), this.deps.ttlMs);
    this.held.set(key, { status, detail, connectionId, cancelExpiry });
    this.deps.announce(conversationId, userId, status, detail);
  }

  /** Back to idle (announced) if it was not. `onlyConnectionId`: only a status that connection set. */
  end(conversationId: string, userId: string, onlyConnectionId?: string): void {
    const key = keyOf(conversationId, userId);
    const current = this.held.get(key);
    if (!current) return;
    if (onlyConnectionId !== undefined && current.connectionId !== onlyConnectionId) return;
    current.cancelExpiry();
    this.held.delete(key);
    this.deps.announce(conversationId, userId, 'idle', null);
  }

  /** The non-idle statuses in the conversation (set through this process). */
  statusesIn(
    conversationId: string,
  ): Array<{ userId: string; status: Exclude<AgentStatus, 'idle'>; detail: string | null }> {
    const prefix = `${conversationId}|`;
    return [...this.held]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, { status, detail }]) => ({ userId: key.slice(prefix.length), status, detail }));
  }

  /** A closed connection's statuses return to idle, wherever they were. */
  endConnection(connectionId: string): void {
    for (const [key, held] of [...this.held]) {
      if (held.connectionId !== connectionId) continue;
      const [conversationId = '', userId = ''] = key.split('|');
      this.end(conversationId, userId);
    }
  }

  /** Forgets everything without announcing (the server is stopping). */
  clear(): void {
    for (const { cancelExpiry } of this.held.values()) cancelExpiry();
    this.held.clear();
  }
}

const keyOf = (conversationId: string, userId: string) => `${conversationId}|${userId}`;
