import type { ClientFrame, ServerFrame, ServerFrameOf, ServerFrameType } from '@chat/protocol';
import WebSocket from 'ws';

/** A server that does not finish the close handshake by then gets its socket terminated. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * The load generator's socket: the raw wire protocol over `ws`, as cheap as it
 * can be. Frames are JSON.parse'd and trusted (the types are compile-time only;
 * nothing is validated on the hot path). A frame some `expect` waits for goes to
 * it; every other frame goes to `onFrame` with its arrival time.
 */
export class RawClient {
  /** Frames nobody `expect`s; `at` is performance.now() on arrival. */
  onFrame: (frame: ServerFrame, at: number) => void = () => {};
  /** The close code, once the socket closed. */
  closeCode: number | null = null;
  /** Called once when the socket closes, whoever closed it. */
  onClose: (code: number) => void = () => {};
  private readonly waiters = new Map<
    string,
    { resolve: (frame: ServerFrame) => void; fail: (error: Error) => void }
  >();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as ServerFrame;
      const waiter = this.waiters.get(frame.type);
      if (waiter) {
        this.waiters.delete(frame.type);
        waiter.resolve(frame);
      } else if (frame.type === 'error' && this.waiters.size > 0) {
        this.failWaiters(new Error(`server error ${frame.code}: ${frame.message}`));
      } else {
        this.onFrame(frame, at);
      }
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.failWaiters(new Error(`socket closed with ${code}`));
      this.onClose(code);
    });
    socket.on('error', () => {}); // 'close' follows and says what happened
  }

  /** `localAddress`: the loopback source address (127.0.0.2 and up), past one address's ephemeral ports. */
  static open(url: string, timeoutMs = 15_000, options: { localAddress?: string } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      });
      socket.once('open', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: ClientFrame): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The next frame of `type`; rejects on an `error` frame, a close or the timeout. */
  expect<T extends ServerFrameType>(type: T, timeoutMs = 15_000): Promise<ServerFrameOf<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(type);
        reject(new Error(`no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(type, {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame as ServerFrameOf<T>);
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** authenticate, then join one conversation; resolves with the `joined` frame. */
  async authenticateAndJoin(token: string, conversationId: string): Promise<ServerFrameOf<'joined'>> {
    const authenticated = this.expect('authenticated');
    this.send({ type: 'authenticate', token });
    await authenticated;
    const joined = this.expect('joined');
    this.send({ type: 'join_conversation', conversation_id: conversationId });
    return joined;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  close(): Promise<void> {
    if (this.closeCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.terminate(), CLOSE_TIMEOUT_MS);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close(1000);
    });
  }

  private failWaiters(error: Error): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) waiter.fail(error);
  }
}
