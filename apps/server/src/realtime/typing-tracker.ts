import type { Cancel, Clock } from '../clock';

interface Typist {
  connectionId: string;
  cancelExpiry: Cancel;
  stopRepeating: Cancel | null;
}

/**
 * Who is typing where. A state change is announced; a refresh that keeps it
 * true only pushes the expiry back. The tracker ends typing by itself after
 * `timeoutMs` without a refresh, and on send, leave and disconnect.
 *
 * With `repeatMs`, a `true` is announced again every `repeatMs` while it lasts:
 * other processes' rooms end a typing that is not repeated (its process died),
 * and drop the repeats otherwise, so their connections see no extra frame.
 */
export class TypingTracker {
  private readonly typists = new Map<string, Typist>();

  constructor(
    private readonly deps: {
      timeoutMs: number;
      repeatMs?: number;
      clock: Clock;
      announce: (conversationId: string, userId: string, isTyping: boolean) => void;
    },
  ) {}

  set(conversationId: string, userId: string, connectionId: string, isTyping: boolean): void {
    const key = keyOf(conversationId, userId);
    const current = this.typists.get(key);
    if (!isTyping) {
      if (current) this.end(conversationId, userId);
      return;
    }
    current?.cancelExpiry();
    const cancelExpiry = this.deps.clock.setTimeout(
      () => this.end(conversationId, userId),
      this.deps.timeoutMs,
    );
    const { repeatMs } = this.deps;
    const stopRepeating =
      current?.stopRepeating ??
      (repeatMs
        ? this.deps.clock.setInterval(() => this.deps.announce(conversationId, userId, true), repeatMs)
        : null);
    this.typists.set(key, { connectionId, cancelExpiry, stopRepeating });
    if (!current) this.deps.announce(conversationId, userId, true);
  }

  /** The user sent a message, or their typing connection left or closed. */
  end(conversationId: string, userId: string, onlyConnectionId?: string): void {
    const key = keyOf(conversationId, userId);
    const current = this.typists.get(key);
    if (!current) return;
    if (onlyConnectionId !== undefined && current.connectionId !== onlyConnectionId) return;
    current.cancelExpiry();
    current.stopRepeating?.();
    this.typists.delete(key);
    this.deps.announce(conversationId, userId, false);
  }

  /** Users typing in the conversation now (on this process). */
  typistsIn(conversationId: string): string[] {
    const prefix = `${conversationId}|`;
    return [...this.typists.keys()]
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
  }

  /** A closed connection stops typing wherever it was, joined or not. */
  endConnection(connectionId: string): void {
    for (const [key, typist] of [...this.typists]) {
      if (typist.connectionId !== connectionId) continue;
      const [conversationId = '', userId = ''] = key.split('|');
      this.end(conversationId, userId);
    }
  }

  /** Forgets everyone without announcing (the server is stopping). */
  clear(): void {
    for (const { cancelExpiry, stopRepeating } of this.typists.values()) {
      cancelExpiry();
      stopRepeating?.();
    }
    this.typists.clear();
  }
}

const keyOf = (conversationId: string, userId: string) => `${conversationId}|${userId}`;
