import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

/** The service worker's source; built as an entry of its own to `/sw.js` (it must sit at the root). */
export const SERVICE_WORKER_ENTRY = 'src/sw/service-worker.ts';
export const SERVICE_WORKER_FILE = 'sw.js';

const BUILD_PLACEHOLDER = '__CHAT_SW_BUILD__';
const PRECACHE_PLACEHOLDER = '__CHAT_SW_PRECACHE__';

function publicFiles(dir: string): string[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `/${relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/')}`);
}

/**
 * Writes the build into the service worker: the list of files to precache (index.html as "/",
 * every emitted asset, the public files) and a hash of them that names its cache, so each deploy
 * gets a fresh cache and the old one is deleted when the new worker activates.
 */
export function serviceWorkerPlugin(): Plugin {
  let publicDir = '';
  return {
    name: 'chat:service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    generateBundle(_options, bundle) {
      const worker = bundle[SERVICE_WORKER_FILE];
      if (worker?.type !== 'chunk') {
        this.error(`${SERVICE_WORKER_FILE} is missing from the build`);
      }
      const emitted = Object.keys(bundle).filter(
        (name) => name !== SERVICE_WORKER_FILE && name !== 'index.html' && !name.endsWith('.map'),
      );
      const precache = ['/', ...new Set([...emitted.map((name) => `/${name}`), ...publicFiles(publicDir)])];
      const html = bundle['index.html'];
      const hash = createHash('sha256').update(precache.join(','));
      if (html?.type === 'asset') hash.update(html.source);
      const build = hash.digest('hex').slice(0, 16);
      if (!worker.code.includes(BUILD_PLACEHOLDER) || !worker.code.includes(PRECACHE_PLACEHOLDER)) {
        this.error(`${SERVICE_WORKER_FILE}: the build placeholders are missing`);
      }
      worker.code = worker.code
        .replaceAll(BUILD_PLACEHOLDER, build)
        .replaceAll(PRECACHE_PLACEHOLDER, precache.join(','));
    },
  };
}
