import { WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '@chat/protocol';
import type { WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

/**
 * A real `ws` server that speaks just enough of the protocol to drive the
 * client into the cases the chat server reaches only rarely (a 4029, a 1000,
 * frames that fail their schema, a handshake that never completes). Real
 * sockets, scripted peer: `onAuthenticated` decides what happens next.
 */
export class ScriptedServer {
  /** One entry per connection accepted, in order, with the tokens it authenticated with. */
  readonly connections: Array<{ socket: WebSocket; tokens: string[] }> = [];
  /** Every frame received, on any connection, in order. */
  readonly received: Array<Record<string, unknown>> = [];

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly script: {
      /** Reply to `authenticate` at all (default true). */
      answer?: (connection: number) => boolean;
      /** `authenticated.expires_at` (default an hour from now; null as for an agent's API key). */
      expiresAt?: string | null;
      onAuthenticated?: (socket: WebSocket, connection: number) => void;
      /** Every frame other than `ping` and `authenticate`, to answer as the test needs. */
      onFrame?: (socket: WebSocket, frame: Record<string, unknown>, connection: number) => void;
    },
  ) {
    wss.on('connection', (socket) => {
      const index = this.connections.length;
      const entry = { socket, tokens: [] as string[] };
      this.connections.push(entry);
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; ref?: string; token?: string };
        this.received.push(frame);
        if (frame.type === 'ping')
          socket.send(JSON.stringify({ type: 'pong', server_time: new Date().toISOString() }));
        else if (frame.type !== 'authenticate') this.script.onFrame?.(socket, frame, index);
        if (frame.type !== 'authenticate') return;
        entry.tokens.push(frame.token ?? '');
        if (this.script.answer && !this.script.answer(index)) return;
        socket.send(
          JSON.stringify({
            type: 'authenticated',
            ref: frame.ref,
            user: {
              id: '00000000-0000-4000-8000-00000000000a',
              email: 'a@example.test',
              display_name: 'A',
              is_agent: false,
            },
            expires_at:
              this.script.expiresAt === undefined
                ? new Date(Date.now() + 3600_000).toISOString()
                : this.script.expiresAt,
            protocol: PROTOCOL_VERSION,
          }),
        );
        this.script.onAuthenticated?.(socket, index);
      });
    });
  }

  static async start(script: ScriptedServer['script']): Promise<ScriptedServer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new ScriptedServer(wss, script);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
  }
}
