import { WebSocket } from 'ws';

/** What the gateway's sockets negotiate: nothing (perMessageDeflate is off), and ws reads it only. */
const NO_EXTENSIONS = Object.freeze({});

/**
 * ws's WebSocket, with its table of listeners made in the shape it will have,
 * and one empty table of extensions for all (ws makes an object each: 56
 * bytes per socket).
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

  _extensions = NO_EXTENSIONS;
}
