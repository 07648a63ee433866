import { WebSocket } from 'ws';
import { ChatClient } from '../../src/index';
import type { ChatClientOptions } from '../../src/index';
import type { TestServer } from './chat-server';
import type { TestUser } from './fixtures';

/** Fast reconnects for tests; everything else as in production. */
export const FAST_BACKOFF = { initialMs: 20, maxMs: 250, stableAfterMs: 60_000, floodPauseMs: 500 };

/** Makes ChatClients on `ws`'s WebSocket and stops them all in `stopAll` (call it in afterEach). */
export class Clients {
  private readonly made: ChatClient[] = [];

  make(server: TestServer, user: TestUser, options: Partial<ChatClientOptions> = {}): ChatClient {
    const client = new ChatClient({
      url: server.server.wsUrl,
      getToken: async () => user.token,
      WebSocket,
      backoff: FAST_BACKOFF,
      ...options,
    });
    this.made.push(client);
    return client;
  }

  stopAll(): void {
    for (const client of this.made.splice(0)) client.stop();
  }
}

/** A real `ws` WebSocket class that also records every frame the client sends, and each socket made. */
export function recordingWebSocket() {
  const sockets: WebSocket[] = [];
  const sent: Array<Record<string, unknown>> = [];
  class RecordingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
      const send = this.send.bind(this);
      this.send = ((data: string) => {
        sent.push(JSON.parse(data) as Record<string, unknown>);
        send(data);
      }) as typeof this.send;
    }
  }
  return { WebSocket: RecordingWebSocket, sockets, sent };
}
