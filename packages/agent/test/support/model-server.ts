import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the provider stand-in received. */
export interface ModelRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** Set once the client's side of this request's connection closed (a cancelled request). */
  closed: boolean;
}

/** How the test answers a request: write SSE events (see `sse`) and end, cut, or hang. */
export type Responder = (response: ServerResponse, request: ModelRequest) => Promise<void> | void;

/**
 * A real HTTP server on 127.0.0.1 standing in for a model provider: it records each request and
 * answers with what the test scripts, in the provider's own streaming wire format. It sees a
 * cancelled request as its connection closing, the way the provider would.
 */
export class ModelServer {
  readonly requests: ModelRequest[] = [];
  private respond: Responder = (response) => {
    response.writeHead(500).end();
  };

  private constructor(private readonly server: Server) {
    server.on('request', (incoming: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const request: ModelRequest = {
          method: incoming.method ?? '',
          path: incoming.url ?? '',
          headers: incoming.headers,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          closed: false,
        };
        this.requests.push(request);
        response.on('close', () => {
          request.closed = true;
        });
        void Promise.resolve(this.respond(response, request)).catch((error: unknown) => {
          console.error('model server: the responder failed', error);
          response.destroy();
        });
      });
    });
  }

  static async start(): Promise<ModelServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ModelServer(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How the next requests are answered. */
  answer(responder: Responder): void {
    this.respond = responder;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts an SSE answer (status 200, `text/event-stream`). */
export function startSse(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
}

/** Writes one server-sent event: `event:` when named, then its `data:` line. */
export function sse(response: ServerResponse, data: unknown, event?: string): void {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  response.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
}

/** OpenAI chat-completions: one `chat.completion.chunk` with some text. */
export function openAiChunk(content: string, finish: string | null = null): Record<string, unknown> {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'test-model',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  };
}

/** Anthropic Messages: the events before the first text delta. */
export function anthropicStart(response: ServerResponse): void {
  sse(
    response,
    {
      type: 'message_start',
      message: {
        id: 'msg_test',
        type: 'message',
        role: 'assistant',
        model: 'test-model',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 5, output_tokens: 1 },
      },
    },
    'message_start',
  );
  sse(
    response,
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    'content_block_start',
  );
}

export function anthropicDelta(response: ServerResponse, text: string): void {
  sse(
    response,
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    'content_block_delta',
  );
}

/** Anthropic Messages: the events after the last text delta. */
export function anthropicEnd(response: ServerResponse): void {
  sse(response, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
  sse(
    response,
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 3 },
    },
    'message_delta',
  );
  sse(response, { type: 'message_stop' }, 'message_stop');
  response.end();
}

/** Lets the event loop carry the bytes written so far to the client before the next ones. */
export function tick(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
