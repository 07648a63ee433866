import type { ServerFrame } from '@chat/protocol';
import WebSocket from 'ws';

type Predicate = (frame: ServerFrame) => boolean;
/** A frame with its type as the test expects it; tests check the rest. */
export type AnyFrame = ServerFrame & Record<string, unknown>;

const DEFAULT_WAIT_MS = 10_000;

/**
 * A raw protocol client for tests: a real `ws` socket that records every frame
 * the server sends, with helpers to wait for frames and replies by `ref`.
 */
export class TestSocket {
  readonly frames: AnyFrame[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private cursor = 0;
  private refCounter = 0;
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('server sent a binary frame');
      this.frames.push(JSON.parse(data.toString()) as AnyFrame);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.wake();
        resolve({ code, reason: this.closeReason });
      });
    });
    ws.on('error', () => {});
  }

  static open(url: string): Promise<TestSocket> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('error', reject);
    });
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: options.binary ?? typeof data !== 'string' });
  }

  /** Sends with a fresh `ref` and resolves with the one reply echoing it. */
  async request(frame: Record<string, unknown>, timeoutMs = DEFAULT_WAIT_MS): Promise<AnyFrame> {
    const ref = `r${++this.refCounter}`;
    this.send({ ...frame, ref });
    return this.waitFor(
      (f) => 'ref' in f && f.ref === ref,
      timeoutMs,
      `reply to ${String(frame.type)} (${ref})`,
    );
  }

  /** Waits for a frame (seen before or after this call) matching the predicate. */
  waitFor(predicate: Predicate, timeoutMs = DEFAULT_WAIT_MS, what = 'frame'): Promise<AnyFrame> {
    return this.until(() => this.frames.find(predicate), timeoutMs, what);
  }

  /** The next frame of `type` after the cursor; moves the cursor past it. */
  async next(type: ServerFrame['type'], predicate: Predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) {
    const frame = await this.until(
      () => {
        for (let i = this.cursor; i < this.frames.length; i++) {
          const candidate = this.frames[i];
          if (candidate && candidate.type === type && predicate(candidate)) {
            this.cursor = i + 1;
            return candidate;
          }
        }
        return undefined;
      },
      timeoutMs,
      `next ${type}`,
    );
    return frame;
  }

  ofType<T extends ServerFrame['type']>(type: T): Array<Extract<ServerFrame, { type: T }> & AnyFrame> {
    return this.frames.filter((frame) => frame.type === type) as Array<
      Extract<ServerFrame, { type: T }> & AnyFrame
    >;
  }

  /** Waits until `count` frames of `type` have arrived. */
  async collect<T extends ServerFrame['type']>(type: T, count: number, timeoutMs = DEFAULT_WAIT_MS) {
    await this.until(
      () => (this.ofType(type).length >= count ? true : undefined),
      timeoutMs,
      `${count} ${type}`,
    );
    return this.ofType(type);
  }

  /** Lets the server answer anything in flight (a ping round trip), then reports matching frames. */
  async settle(): Promise<void> {
    if (this.closeCode !== null) return;
    await this.request({ type: 'ping' });
  }

  waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<{ code: number; reason: string }> {
    return this.until(
      () => (this.closeCode === null ? undefined : { code: this.closeCode, reason: this.closeReason }),
      timeoutMs,
      'close',
    );
  }

  close(code = 1000): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code);
  }

  private until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== attempt);
          resolve(value);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== attempt);
        const recent = this.frames.slice(-5).map((f) => JSON.stringify(f).slice(0, 200));
        reject(new Error(`timed out waiting for ${what}; last frames:\n${recent.join('\n')}`));
      }, timeoutMs);
      if (!attempt()) this.waiters.push(attempt);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
