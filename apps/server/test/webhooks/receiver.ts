import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on a loopback address, standing in for an agent's
 * webhook endpoint. `answer` decides each response (by the number of requests
 * so far); it may write a redirect.
 */
export async function startReceiver(
  answer: (request: ReceivedWebhook, index: number, response: ServerResponse) => void = (_r, _i, response) =>
    void response.writeHead(204).end(),
  host = '127.0.0.1',
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      answer(entry, received.length - 1, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/hook`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with these statuses in turn (the last one repeats). */
export function statuses(...codes: number[]) {
  return (_request: ReceivedWebhook, index: number, response: ServerResponse): void => {
    response.writeHead(codes[Math.min(index, codes.length - 1)] ?? 204).end();
  };
}
