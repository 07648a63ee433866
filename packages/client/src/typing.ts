/**
 * This user's typing state per conversation. Sends `typing` only on a change,
 * and while typing stays true re-sends it every refreshMs, because the server
 * drops a typist after 6 s without news (PROTOCOL.md section 5).
 */
export class TypingSender {
  private readonly refreshers = new Map<string, ReturnType<typeof setInterval>>();

  constructor(
    private readonly refreshMs: number,
    /** Sends the frame; false when the socket is not open (then nothing is remembered). */
    private readonly send: (conversationId: string, isTyping: boolean) => boolean,
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
    const refresher = setInterval(() => {
      if (!this.send(conversationId, true)) this.forget(conversationId);
    }, this.refreshMs);
    this.refreshers.set(conversationId, refresher);
  }

  /** Back to not typing without a frame: the server already knows (a message was sent, the socket died). */
  forget(conversationId: string): void {
    clearInterval(this.refreshers.get(conversationId));
    this.refreshers.delete(conversationId);
  }

  forgetAll(): void {
    for (const refresher of this.refreshers.values()) clearInterval(refresher);
    this.refreshers.clear();
  }
}
