/**
 * What the service worker does with each request: the app shell works offline, data never comes
 * from a cache. Pure, so it is unit-tested; `service-worker.ts` applies it.
 *
 * - `shell`: page navigations. Network first (a deploy shows at once); the cached index.html
 *   when the network or the server is down, so a reload offline still opens the app.
 * - `config`: `GET /api/config` (where auth lives). Network first, cached copy as fallback.
 * - `static`: the built files (`/assets/*` have content hashes in their names; the precached
 *   public files). Cache first, filled from the network when missing.
 * - `pass`: everything else, untouched: the API, auth, the WebSocket, health and metrics, the
 *   service worker script itself, and any other origin.
 */
export type CacheRoute = 'shell' | 'config' | 'static' | 'pass';

/** Never served from (nor stored in) a cache, except `/api/config`. */
const LIVE_PREFIXES = ['/api/', '/auth/', '/ws', '/healthz', '/readyz', '/metrics', '/sw.js'];

export interface RoutedRequest {
  method: string;
  /** `Request.mode`: 'navigate' for a page load. */
  mode: string;
  url: string;
}

export function cacheRouteOf(
  request: RoutedRequest,
  origin: string,
  precached: ReadonlySet<string>,
): CacheRoute {
  if (request.method !== 'GET') return 'pass';
  const url = new URL(request.url);
  if (url.origin !== origin) return 'pass';
  if (url.pathname === CONFIG_PATH) return 'config';
  if (LIVE_PREFIXES.some((prefix) => url.pathname === prefix || url.pathname.startsWith(prefix))) {
    return 'pass';
  }
  if (request.mode === 'navigate') return 'shell';
  if (url.pathname.startsWith('/assets/') || precached.has(url.pathname)) return 'static';
  return 'pass';
}

/** Where the app reads its configuration (public, and needed before anything else). */
export const CONFIG_PATH = '/api/config';

/** The one cache key of the shell: every navigation gets the same index.html. */
export const SHELL_KEY = '/';

/** Caches of this app are named `chat-shell-<build>`; an activating worker deletes the others. */
export const CACHE_PREFIX = 'chat-shell-';
