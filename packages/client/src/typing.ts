import type { Clock } from './clock';

/**
 * This user's typing state per conversation. Sends `typing` only on a change,
 * and while typing stays true re-sends it every refreshMs, because the server
 * drops a typist after 6 s without news (docs/protocol.md section 5).
 */
export class TypingSender {
  /** The pending refresh of each conversation typed in. */
  private readonly refreshers = new Map<string, unknown>();

  constructor(
    private readonly refreshMs: number,
    /** Sends the frame; false when the socket is not open (then nothing is remembered). */
    private readonly send: (conversationId: string, isTyping: boolean) => boolean,
    private readonly clock: Clock,
  ) {}

  set(conversationId: string, isTyping: boolean): void {
    const typing = this.refreshers.has(conversationId);
    if (isTyping === typing) return;
    if (!isTyping) {
      this.forget(conversationId);
      this.send(conversationId, false);
      return;
    }
    if (!this.send(conversationId, true)) return;
    this.scheduleRefresh(conversationId);
  }

  /** Back to not typing without a frame: the server already knows (a message was sent, the socket died). */
  forget(conversationId: string): void {
    this.clock.clearTimeout(this.refreshers.get(conversationId));
    this.refreshers.delete(conversationId);
  }

  forgetAll(): void {
    for (const refresher of this.refreshers.values()) this.clock.clearTimeout(refresher);
    this.refreshers.clear();
  }

  private scheduleRefresh(conversationId: string): void {
    const refresher = this.clock.setTimeout(() => {
      if (this.send(conversationId, true)) this.scheduleRefresh(conversationId);
      else this.refreshers.delete(conversationId);
    }, this.refreshMs);
    this.refreshers.set(conversationId, refresher);
  }
}
