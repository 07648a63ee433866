import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './rest-errors';

const API_PREFIXES = ['/api/', '/auth/', '/ws', '/healthz', '/readyz', '/metrics', '/mcp'];

/** Vite names what it builds into assets/ after its content: a new build is a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, the service worker, the manifest, icons) is checked on each use. */
const REVALIDATE = 'no-cache';

/** The cache policy of a file of the built app, by its path under the app's folder. */
export function cachePolicy(pathInApp: string): string {
  return pathInApp.startsWith(`assets${sep}`) || pathInApp.startsWith('assets/') ? IMMUTABLE : REVALIDATE;
}

/**
 * Serves the built web app from the same port as the API, brotli or gzip
 * compressed when the client takes it (the build writes `.br` and `.gz` beside
 * each file), hashed assets cached for a year and the rest revalidated.
 * Unknown paths outside the API get index.html (client-side routes); unknown
 * API paths get a JSON 404.
 */
export async function registerWebApp(app: FastifyInstance, distDir: string | null): Promise<boolean> {
  const hasApp = distDir !== null && existsSync(join(distDir, 'index.html'));
  if (hasApp) {
    await app.register(fastifyStatic, {
      root: distDir,
      wildcard: false,
      index: ['index.html'],
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', cachePolicy(relative(distDir, path)));
        // Not in the static server's type table; browsers want it to install the app.
        if (/\.webmanifest(\.(br|gz))?$/.test(path))
          reply.header('content-type', 'application/manifest+json');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const isApi = API_PREFIXES.some((prefix) => request.url.startsWith(prefix));
    if (hasApp && request.method === 'GET' && !isApi) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply
      .status(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
  return hasApp;
}
