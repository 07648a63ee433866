import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** Sockets corked during this turn of the event loop, uncorked together when it ends. */
const corked: Socket[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const socket of corked.splice(0)) socket.uncork();
}

/**
 * Holds a WebSocket's writes until the end of this event-loop turn, so every
 * frame the turn produces for it (an ack and the echo of the message, or several
 * messages of a busy conversation) leaves in one write system call instead of
 * one each (issue 13: per-frame writev was the main thread's largest cost after
 * storage). The frames still leave in the order sent, within the same turn.
 *
 * ws keeps its TCP socket as the private `_socket`; without one (closed, or a
 * different implementation) writes simply go out unbatched.
 */
export function batchWritesThisTurn(webSocket: WebSocket): void {
  const socket = (webSocket as unknown as { _socket?: Socket | null })._socket;
  if (!socket || socket.writableCorked > 0 || socket.destroyed) return;
  socket.cork();
  corked.push(socket);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}
