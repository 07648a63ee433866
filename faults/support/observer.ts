import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

export interface SeenFrame {
  /** performance.now() when it arrived. */
  at: number;
  frame: Record<string, unknown>;
}

/**
 * A bare protocol socket that records every frame with its arrival time: a
 * ChatClient would end typing by its own timer and hide whether the server
 * did. Used to time typing and presence across processes.
 */
export class Observer {
  readonly frames: SeenFrame[] = [];
  private refs = 0;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push({ at: performance.now(), frame: JSON.parse(String(data)) as Record<string, unknown> });
    });
  }

  /** Opens, authenticates and joins `conversationId`; resolves with the `joined` frame. */
  static async join(wsUrl: string, token: string, conversationId: string): Promise<Observer> {
    const socket = new WebSocket(wsUrl);
    socket.on('error', () => undefined); // a killed server's socket dies; its close is what counts
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const observer = new Observer(socket);
    observer.send({ type: 'authenticate', token });
    await observer.next((f) => f.type === 'authenticated');
    observer.send({ type: 'join_conversation', conversation_id: conversationId });
    await observer.next((f) => f.type === 'joined');
    return observer;
  }

  send(frame: Record<string, unknown>): void {
    if (this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ ...frame, ref: `r${++this.refs}` }));
    }
  }

  /** The first frame matching, from `after` (performance.now()) on, waiting up to `timeoutMs`; null if none came. */
  async next(
    match: (frame: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
    after = 0,
  ): Promise<SeenFrame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.frames.find((s) => s.at >= after && match(s.frame));
      if (seen) return seen;
      if (Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The `joined` frame's member list as user id → online. */
  static onlineIn(joined: SeenFrame | null): Map<string, boolean> {
    const members = (joined?.frame.members ?? []) as { user_id: string; online: boolean }[];
    return new Map(members.map((member) => [member.user_id, member.online]));
  }

  close(): void {
    this.socket.terminate();
  }
}
