import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * A real TCP relay between a client and the server. `freeze()` silently stops
 * carrying bytes on the connections open now (both ways) without closing them:
 * a half-open connection, as a sleeping laptop or a NAT that forgot the flow
 * leaves behind. New connections are relayed normally.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean; deaf: boolean }>();

  private constructor(targetPort: number) {
    this.server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      const pair = { client, upstream, frozen: false, deaf: false };
      this.pairs.add(pair);
      client.on('data', (chunk) => {
        if (!pair.frozen) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!pair.frozen && !pair.deaf) client.write(chunk);
      });
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Connections relayed now. */
  get connections(): number {
    return this.pairs.size;
  }

  freeze(): void {
    for (const pair of this.pairs) pair.frozen = true;
  }

  /** Carries bytes to the server but no longer back: the server acts, its replies are lost. */
  deafen(): void {
    for (const pair of this.pairs) pair.deaf = true;
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
