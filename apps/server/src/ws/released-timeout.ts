import type { Duplex } from 'node:stream';

/**
 * Lets go of the idle timer an upgraded socket no longer uses. The HTTP server
 * arms one on every new socket (`connectionTimeout`); ws disarms it on upgrade
 * with `setTimeout(0)`, but Node keeps the cleared Timeout on the socket for
 * the socket's life: ~170 bytes held by every idle WebSocket (issue 13). Node
 * keeps it under a symbol described "timeout"; a Node that stores it otherwise
 * is left as it is.
 */
export function releaseClearedTimeout(socket: Duplex): void {
  const key = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'timeout');
  if (key === undefined) return;
  const timer = (socket as unknown as Record<symbol, unknown>)[key];
  // A cleared Timeout has _idleTimeout -1; an armed one (someone's own) stays.
  if (isClearedTimeout(timer)) (socket as unknown as Record<symbol, unknown>)[key] = null;
}

function isClearedTimeout(timer: unknown): boolean {
  return (
    typeof timer === 'object' && timer !== null && (timer as { _idleTimeout?: unknown })._idleTimeout === -1
  );
}
