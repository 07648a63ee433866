import type { IncomingMessage } from 'node:http';
import type { ServerConfig } from '../config';

/** The origin (scheme, host, port) of a URL, lower-cased as browsers send it, or null. */
function originOf(url: string): string | null {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Whether a `/ws` upgrade may go on. Browsers always send `Origin` on a WebSocket
 * handshake and a page cannot forge it, so a page on another site (cross-site
 * WebSocket hijacking) is refused here. A request without `Origin` is not a
 * browser's (a bot, a server, the CLI): its token is all it has, and it is
 * accepted. With `ALLOWED_ORIGINS` exactly those origins are allowed; without
 * it, the server's own: `PUBLIC_URL`'s origin, or an origin whose host is the
 * request's own `Host`.
 */
export function upgradeOriginAllowed(
  request: IncomingMessage,
  config: Pick<ServerConfig, 'allowedOrigins' | 'publicUrl'>,
): boolean {
  const header = request.headers.origin;
  if (header === undefined) return true;
  const origin = originOf(header);
  if (origin === null) return false;
  if (config.allowedOrigins) return config.allowedOrigins.includes(origin);
  if (config.publicUrl && originOf(config.publicUrl) === origin) return true;
  const host = request.headers.host;
  return host !== undefined && new URL(origin).host === host.toLowerCase();
}
