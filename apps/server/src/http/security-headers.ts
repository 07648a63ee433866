import type { IncomingMessage } from 'node:http';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config';

/** Answers that carry a person's data or tokens: no browser or proxy may keep a copy. */
const PRIVATE_PREFIXES = /^\/(api|auth)(\/|\?|$)/;

/**
 * A Host header fit to be written into a policy: a name or an IP literal and a port. Anything
 * else (a `;` would start a directive of the sender's choosing) is left out of the policy.
 */
const SAFE_HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i;

/** The origin (scheme, host, port) of a URL, or null when it is not one. */
function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The WebSocket origins of the app's own server. CSP 3 lets 'self' cover ws/wss of the same
 * host, but Safari before 15.4 did not, so they are named. With PUBLIC_URL that is the one
 * host; without it each request's own Host (validated), since the server answers on any name.
 */
function ownSocketOrigins(publicUrl: string | undefined) {
  const fixed = originOf(publicUrl);
  if (fixed) {
    const host = new URL(fixed).host;
    const value = `ws://${host} wss://${host}`;
    return () => value;
  }
  return (req: IncomingMessage): string => {
    const host = req.headers.host ?? '';
    return SAFE_HOST.test(host) ? `ws://${host} wss://${host}` : '';
  };
}

/** The policy's directives, spelled out rather than merged with helmet's looser defaults. */
export function contentSecurityDirectives(config: Pick<ServerConfig, 'supabaseUrl' | 'publicUrl'>) {
  const supabase = originOf(config.supabaseUrl);
  return {
    'default-src': ["'self'"],
    // Only the built bundles: no inline script, no eval, no handler attributes.
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    // Vite emits stylesheets as files; React's style props go through the CSSOM, which CSP allows.
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ownSocketOrigins(config.publicUrl), ...(supabase ? [supabase] : [])],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
}

/**
 * Browser-side defences on every answer (`@fastify/helmet`): a strict Content-Security-Policy,
 * no framing, no MIME sniffing, no referrer outside the app, and `no-store` on the API and auth.
 * `upgrade-insecure-requests` is left out: a server reached over plain HTTP (localhost, a LAN
 * address) would have every fetch rewritten to an https:// that nothing answers.
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  config: Pick<ServerConfig, 'supabaseUrl' | 'publicUrl'>,
): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityDirectives(config) },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // Ignored by browsers over plain HTTP; behind TLS it keeps the next visit on HTTPS. The app
    // owns no subdomains, so it does not speak for them.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  });
  app.addHook('onSend', async (request, reply) => {
    if (PRIVATE_PREFIXES.test(request.url)) reply.header('cache-control', 'no-store');
  });
}
