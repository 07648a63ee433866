import type { ClientFrame, Message, ServerFrameOf } from '@chat/protocol';
import { ChatError } from './errors';
import type { Sender } from './sender';

export interface StreamSenderConfig {
  sender: Sender;
  /** Sends a frame on the open socket; false when there is none. */
  send: (frame: ClientFrame) => boolean;
  /** One request with a ref, settled by its direct reply (rejects `disconnected` when not open). */
  request: (frame: ClientFrame) => Promise<void>;
}

interface Waiter<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: ChatError) => void;
}

/**
 * The client's side of streamed messages (v2 section 14):
 * - a stream starts as an ordinary send with `streaming: true`, through the outbox (so it is
 *   resent with its client_id after a reconnect, never doubled), and `start` resolves with the
 *   stored message once it is acked;
 * - `stream_message` is fire and forget: dropped when offline (the next one carries the whole
 *   text anyway), no outbox;
 * - `end_stream` is a request: it rejects `disconnected` when the socket is gone, as the server
 *   then ends the stream `interrupted` by itself;
 * - `stop_stream` is held until it is acknowledged: a stop asked while offline, or whose socket
 *   died before the reply, is sent again on the next authentication.
 */
export class StreamSender {
  /** client_id -> who waits for the ack of a stream's start. */
  private readonly starts = new Map<string, Waiter<Message>>();
  /** message_id -> a stop not yet acknowledged. */
  private readonly stops = new Map<string, Waiter<void>>();

  constructor(private readonly config: StreamSenderConfig) {}

  start(conversationId: string, body: string, replyTo: string | null): Promise<Message> {
    // Throws `bad_request` synchronously for a body over 16,000 code points.
    const pending = this.config.sender.send(conversationId, body, replyTo, [], [], true);
    const waiter = makeWaiter<Message>();
    this.starts.set(pending.client_id, waiter);
    return waiter.promise;
  }

  /** The message of one of our sends landed (ack, our own `message`, or found in a `joined`). */
  acked(clientId: string, message: Message): void {
    const waiter = this.starts.get(clientId);
    if (!waiter) return;
    this.starts.delete(clientId);
    waiter.resolve(message);
  }

  /**
   * An `error` about one of our sends (already handled by the Sender). A refused start rejects
   * and leaves the outbox: a stream that could not start is not a message to retry by hand.
   */
  refused(frame: ServerFrameOf<'error'>): void {
    const clientId = frame.client_id;
    if (clientId === undefined || frame.code === 'rate_limited') return; // resent after the wait
    const waiter = this.starts.get(clientId);
    if (!waiter) return;
    this.starts.delete(clientId);
    this.config.sender.discard(clientId);
    waiter.reject(new ChatError(frame.code, frame.message, frame.retry_after_ms));
  }

  update(messageId: string, body: string): void {
    this.config.send({ type: 'stream_message', message_id: messageId, body });
  }

  end(messageId: string, body: string, state: 'complete' | 'stopped' = 'complete'): Promise<void> {
    return this.config.request({
      type: 'end_stream',
      message_id: messageId,
      body,
      ...(state === 'complete' ? {} : { state }),
    });
  }

  /**
   * Asks the sender of a streaming message to stop; resolves once the server acknowledged it.
   * `conflict` (the message is no longer streaming: it ended meanwhile) resolves too, as there
   * is nothing left to stop.
   */
  stop(messageId: string): Promise<void> {
    const held = this.stops.get(messageId);
    if (held) return held.promise;
    const waiter = makeWaiter<void>();
    this.stops.set(messageId, waiter);
    this.sendStop(messageId, waiter);
    return waiter.promise;
  }

  /** A new authenticated socket: stops still unacknowledged go out again. */
  connected(): void {
    for (const [messageId, waiter] of this.stops) this.sendStop(messageId, waiter);
  }

  private sendStop(messageId: string, waiter: Waiter<void>): void {
    this.config.request({ type: 'stop_stream', message_id: messageId }).then(
      () => this.settleStop(messageId, waiter, null),
      (error: unknown) => {
        const chatError = error instanceof ChatError ? error : new ChatError('internal', String(error));
        // Not sent, or its socket died before the reply: the next socket sends it again.
        if (chatError.code === 'disconnected') return;
        this.settleStop(messageId, waiter, chatError.code === 'conflict' ? null : chatError);
      },
    );
  }

  private settleStop(messageId: string, waiter: Waiter<void>, error: ChatError | null): void {
    if (this.stops.get(messageId) !== waiter) return;
    this.stops.delete(messageId);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}

function makeWaiter<T>(): Waiter<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: ChatError) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
