import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './rest-errors';

const API_PREFIXES = ['/api/', '/auth/', '/ws', '/healthz', '/readyz', '/metrics'];

/**
 * Serves the built web app from the same port as the API. Unknown paths outside
 * the API get index.html (client-side routes); unknown API paths get a JSON 404.
 */
export async function registerWebApp(app: FastifyInstance, distDir: string | null): Promise<boolean> {
  const hasApp = distDir !== null && existsSync(join(distDir, 'index.html'));
  if (hasApp) {
    await app.register(fastifyStatic, { root: distDir, wildcard: false, index: ['index.html'] });
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
