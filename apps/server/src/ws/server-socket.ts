import { WebSocket } from 'ws';

/**
 * ws's WebSocket, with its table of listeners made in the shape it will have.
 *
 * Why: EventEmitter starts every emitter's `_events` as a null-prototype
 * object, which V8 keeps as a hash table; with the gateway's listeners it held
 * 256 bytes per socket in a heap snapshot of 2,000 idle sockets (issue 13). An
 * object literal with its keys in place is a plain object of 64 bytes. Node's
 * own streams preset their `_events` the same way, and EventEmitter reads a
 * key whose value is undefined as an event without listeners.
 */
export class ServerSocket extends WebSocket {
  /** Defined once EventEmitter's constructor has made its own (and before any listener is added). */
  _events = {
    // The events the gateway listens to on every socket (gateway.ts `accept`).
    message: undefined,
    ping: undefined,
    pong: undefined,
    error: undefined,
    close: undefined,
  };
}
