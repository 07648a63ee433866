import { connect, type Socket } from 'node:net';

/**
 * One kept-alive HTTP/1.1 connection for timed GETs (scenario 8), reading
 * into memory it keeps: the generator allocates nothing per answer.
 *
 * Why not node:http: each answer came as new 64 KB chunks and was joined into
 * one more Buffer, ~480 KB of external memory per 240 KB listing, and the
 * generator's own collections (up to 8-11 ms, one every ~12 listings in a probe
 * on 2026-12-03) fell inside a tenth of the timed requests: a third of the
 * slowest tenth's time was the generator's. What is timed here is the server.
 *
 * Only what the chat server answers a GET with is understood: a status line,
 * headers with Content-Length, a body. One request at a time.
 */
export class TimedHttpClient {
  /** The socket reads into this; the answer is copied out of it into `#answer`. */
  readonly #readBuffer = Buffer.allocUnsafe(256 * 1024);
  #answer = Buffer.allocUnsafe(1024 * 1024);
  #filled = 0;
  #pending: { resolve: (body: Buffer) => void; reject: (error: Error) => void } | null = null;
  #closed: Error | null = null;
  readonly #socket: Socket;

  private constructor(
    readonly host: string,
    port: number,
    ready: (error?: Error) => void,
  ) {
    this.#socket = connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: this.#readBuffer, callback: (size) => this.#received(size) },
    });
    this.#socket.once('connect', () => ready());
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => this.#fail(new Error('connection closed')));
    this.#socket.once('error', ready);
  }

  static open(baseUrl: string): Promise<TimedHttpClient> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const client: TimedHttpClient = new TimedHttpClient(hostname, Number(port), (error) =>
        error ? reject(error) : resolve(client),
      );
    });
  }

  /**
   * GETs `path` with `token`; resolves with the body once its last byte is in.
   * The Buffer is this client's memory: valid until the next `get`.
   */
  get(path: string, token: string): Promise<Buffer> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#pending) return Promise.reject(new Error('one request at a time'));
    this.#filled = 0;
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${this.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #received(size: number): boolean {
    if (this.#filled + size > this.#answer.length) {
      const larger = Buffer.allocUnsafe(Math.max(this.#answer.length * 2, this.#filled + size));
      this.#answer.copy(larger, 0, 0, this.#filled);
      this.#answer = larger;
    }
    this.#readBuffer.copy(this.#answer, this.#filled, 0, size);
    this.#filled += size;
    this.#settleIfWhole();
    return true;
  }

  #settleIfWhole(): void {
    const headEnd = this.#answer.subarray(0, this.#filled).indexOf('\r\n\r\n', 0, 'latin1');
    if (headEnd < 0 || !this.#pending) return;
    const head = this.#answer.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length === undefined) return this.#fail(new Error(`an answer without Content-Length: ${head}`));
    const bodyStart = headEnd + 4;
    if (this.#filled < bodyStart + Number(length)) return;
    const body = this.#answer.subarray(bodyStart, bodyStart + Number(length));
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    const pending = this.#pending;
    this.#pending = null;
    if (status >= 200 && status < 300) pending.resolve(body);
    else pending.reject(new Error(`HTTP ${status} ${body.toString('utf8')}`));
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(error);
  }
}
