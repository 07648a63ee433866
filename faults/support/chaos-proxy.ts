import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * A loopback TCP relay between clients and the server that misbehaves on
 * request, as networks do. (The client suite's `TcpProxy` freezes and deafens;
 * this one adds what the fault scenarios need on top: a black hole that hides
 * closes from both ends, a reader that stops reading, latency and cuts.)
 *
 * - `blackHole()`: the connections open now carry nothing more, either way, and
 *   a close on one side is NOT passed to the other: a half-open connection, as
 *   a sleeping laptop or a NAT that forgot the flow leaves behind. Each end has
 *   to find out with its own heartbeat.
 * - `stall()` / `unstall()`: stop / go on reading from the server on the
 *   connections open now (and, with `stallNew`, on later ones): TCP
 *   backpressure builds up in the server, as with a consumer that stops reading.
 * - `setLatency(min, max)`: every chunk waits a random time in [min, max] ms,
 *   order kept per direction.
 * - `cut()`, `cutRandom()`, `startCutting()`: connections dropped outright.
 *
 * New connections are relayed normally unless said otherwise; when the server is
 * down, a new connection is closed as soon as the upstream connect fails.
 */
export class ChaosProxy {
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private latency: [number, number] = [0, 0];
  private cutTimer: ReturnType<typeof setTimeout> | undefined;
  /** Stall every connection made from now on too. */
  stallNew = false;
  /** Connections cut by `cut*` so far. */
  cuts = 0;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(
    private readonly targetPort: number,
    private readonly random: () => number,
  ) {
    this.server = createServer((client) => this.relay(client));
  }

  static async start(targetPort: number, random: () => number = Math.random): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(targetPort, random);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** Connections relayed now (black-holed ones excluded). */
  get connections(): number {
    let count = 0;
    for (const pair of this.pairs) if (!pair.blackHoled) count++;
    return count;
  }

  /** Black-holed connections whose server side is still open (the server has not noticed yet). */
  get halfOpenAtServer(): number {
    let count = 0;
    for (const pair of this.pairs) if (pair.blackHoled && !pair.upstream.destroyed) count++;
    return count;
  }

  blackHole(): number {
    let count = 0;
    for (const pair of this.pairs) {
      if (pair.blackHoled) continue;
      pair.blackHoled = true;
      pair.toServer.clear();
      pair.toClient.clear();
      count++;
    }
    return count;
  }

  stall(): void {
    for (const pair of this.pairs) pair.upstream.pause();
  }

  unstall(): void {
    this.stallNew = false;
    for (const pair of this.pairs) if (!pair.blackHoled) pair.upstream.resume();
  }

  setLatency(minMs: number, maxMs: number): void {
    this.latency = [minMs, Math.max(minMs, maxMs)];
  }

  /** Drops every relayed connection (both sides closed). */
  cutAll(): number {
    let count = 0;
    for (const pair of [...this.pairs]) if (!pair.blackHoled) count += this.cutPair(pair);
    return count;
  }

  /** Drops one relayed connection chosen at random; false when there is none. */
  cutRandom(): boolean {
    const live = [...this.pairs].filter((pair) => !pair.blackHoled && !pair.client.destroyed);
    if (live.length === 0) return false;
    return this.cutPair(live[Math.floor(this.random() * live.length)]!) > 0;
  }

  /** Cuts a random connection every [minMs, maxMs] until `stopCutting`. */
  startCutting(minMs: number, maxMs: number): void {
    this.stopCutting();
    const schedule = () => {
      this.cutTimer = setTimeout(
        () => {
          this.cutRandom();
          schedule();
        },
        minMs + this.random() * (maxMs - minMs),
      );
    };
    schedule();
  }

  stopCutting(): void {
    clearTimeout(this.cutTimer);
    this.cutTimer = undefined;
  }

  async close(): Promise<void> {
    this.stopCutting();
    for (const pair of this.pairs) {
      pair.toServer.clear();
      pair.toClient.clear();
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    this.accepted++;
    const upstream = connect(this.targetPort, '127.0.0.1');
    const delay = () => {
      const [min, max] = this.latency;
      return max === 0 ? 0 : min + this.random() * (max - min);
    };
    const pair: Pair = {
      client,
      upstream,
      blackHoled: false,
      toServer: new Lane(upstream, delay),
      toClient: new Lane(client, delay),
    };
    this.pairs.add(pair);
    if (this.stallNew) upstream.pause();
    client.on('data', (chunk: Buffer) => {
      if (!pair.blackHoled) pair.toServer.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.blackHoled) pair.toClient.push(chunk);
    });
    // A black-holed pair hides each side's close from the other: only its own
    // heartbeat tells each end the connection is dead.
    const clientGone = () => {
      if (!pair.blackHoled) upstream.destroy();
      if (upstream.destroyed) this.pairs.delete(pair);
    };
    const upstreamGone = () => {
      if (!pair.blackHoled) client.destroy();
      if (client.destroyed) this.pairs.delete(pair);
    };
    client.on('close', clientGone);
    client.on('error', () => client.destroy());
    upstream.on('close', upstreamGone);
    upstream.on('error', () => upstream.destroy());
  }

  private cutPair(pair: Pair): number {
    if (pair.client.destroyed && pair.upstream.destroyed) return 0;
    pair.toServer.clear();
    pair.toClient.clear();
    pair.client.destroy();
    pair.upstream.destroy();
    this.cuts++;
    return 1;
  }
}

interface Pair {
  client: Socket;
  upstream: Socket;
  blackHoled: boolean;
  toServer: Lane;
  toClient: Lane;
}

/** One direction of a relayed connection: chunks delayed, never reordered. */
class Lane {
  private readonly queue: Array<{ at: number; chunk: Buffer }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastAt = 0;

  constructor(
    private readonly target: Socket,
    private readonly delay: () => number,
  ) {}

  push(chunk: Buffer): void {
    const wait = this.delay();
    if (wait === 0 && this.queue.length === 0) {
      this.write(chunk);
      return;
    }
    // Never before the chunk ahead of it: the byte stream keeps its order.
    this.lastAt = Math.max(this.lastAt, Date.now() + wait);
    this.queue.push({ at: this.lastAt, chunk });
    this.pump();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = Date.now();
        while (this.queue[0] && this.queue[0].at <= now) this.write(this.queue.shift()!.chunk);
        this.pump();
      },
      Math.max(0, head.at - Date.now()),
    );
  }

  private write(chunk: Buffer): void {
    if (!this.target.destroyed) this.target.write(chunk);
  }
}
