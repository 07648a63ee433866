import { CloseCode } from '@chat/protocol';
import type { ServerContext } from '../context';
import type { Connection } from './connection';
import { dispatchFrame } from './dispatch';

/** Frames of one connection waiting their turn; past this the peer is flooding. */
export const MAX_QUEUED_FRAMES = 1000;

/**
 * One connection's frames, handled in the order they arrived: a frame whose
 * handler is still at work (a join reading storage) holds the ones after it.
 * A frame handled at once goes straight through, with no promise or closure
 * made for it (issue 13: the send path allocates per frame only what it must).
 */
export class FrameQueue {
  private waiting: string[] | null = null;
  private busy = false;

  constructor(
    private readonly ctx: ServerContext,
    readonly connection: Connection,
  ) {}

  push(text: string): void {
    if (this.busy) {
      const waiting = (this.waiting ??= []);
      if (waiting.length >= MAX_QUEUED_FRAMES) {
        this.connection.close(CloseCode.Flooding, 'flooding');
        return;
      }
      waiting.push(text);
      return;
    }
    this.run(text);
  }

  private run(text: string): void {
    // Once the server has closed a connection (1013, 4029, ...) its backlog is not worth
    // handling: a slow reader's hundreds of queued joins would each still read storage.
    if (this.connection.isClosing) return;
    const pending = dispatchFrame(this.ctx, this.connection, text);
    if (!pending) return;
    this.busy = true;
    void pending.then(
      () => this.next(),
      (error: unknown) => {
        // dispatchFrame answers every failure itself; this is a bug in that answer.
        this.ctx.log.error({ err: error, connectionId: this.connection.id }, 'frame handling failed');
        this.next();
      },
    );
  }

  private next(): void {
    this.busy = false;
    const waiting = this.waiting;
    while (waiting && waiting.length > 0 && !this.busy) this.run(waiting.shift() as string);
  }
}
