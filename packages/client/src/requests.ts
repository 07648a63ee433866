import type { ServerFrame } from '@chat/protocol';
import { ChatError } from './errors';

type ErrorFrame = Extract<ServerFrame, { type: 'error' }>;

export interface RequestCallbacks {
  /** The direct reply (`ack`, `authenticated`, `joined`, ...), handled synchronously. */
  onReply(frame: ServerFrame): void;
  /** An `error` echoing the ref, or the socket died first (`disconnected`). */
  onError(error: ChatError, frame?: ErrorFrame): void;
}

/**
 * Correlates requests and replies by `ref` (docs/protocol.md section 1: a frame with a
 * ref gets exactly one direct reply echoing it). Refs are unique per client.
 *
 * Replies are delivered synchronously, in frame order: a `joined` must be applied
 * before the `message` frames that follow it on the same socket.
 */
export class Requests {
  private counter = 0;
  private readonly pending = new Map<string, RequestCallbacks>();

  /** Reserves a new ref and remembers who waits for its reply. */
  track(callbacks: RequestCallbacks): string {
    const ref = `r${(++this.counter).toString(36)}`;
    this.pending.set(ref, callbacks);
    return ref;
  }

  /** Forgets a ref without calling anything (its frame could not be sent). */
  forget(ref: string): void {
    this.pending.delete(ref);
  }

  /** Routes a frame carrying a ref; false when no request waits for it. */
  settle(frame: ServerFrame): boolean {
    const ref = frame.ref;
    if (ref === undefined) return false;
    const callbacks = this.pending.get(ref);
    if (!callbacks) return false;
    this.pending.delete(ref);
    if (frame.type === 'error') {
      callbacks.onError(new ChatError(frame.code, frame.message, frame.retry_after_ms), frame);
    } else {
      callbacks.onReply(frame);
    }
    return true;
  }

  /**
   * The socket died: every request still waiting fails with a retryable
   * `disconnected` error. Edits, reactions and read marks are NOT resent on
   * the next socket (an edit sent twice would count twice against the edit
   * limit); the caller decides. Sends are different: the outbox resends them.
   */
  failAll(message: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const callbacks of waiting) callbacks.onError(new ChatError('disconnected', message));
  }
}
