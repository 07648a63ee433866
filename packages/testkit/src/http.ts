import { request } from 'node:http';

/**
 * A JSON request to a chat server with node:http, resolving with the parsed
 * body and rejecting on a status of 400 or more. Not fetch: in happy-dom suites
 * the global fetch is the DOM's, with CORS rules; and a fresh socket per call
 * (no keep-alive agent) never reuses a socket of a server that restarted.
 */
export function httpJson(
  server: { url: string },
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new Error(`${method} ${path}: ${status} ${text}`));
          else resolve(text ? JSON.parse(text) : undefined);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
