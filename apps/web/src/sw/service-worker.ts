/**
 * The service worker (built to `/sw.js` by `vite-sw-plugin.ts`, registered by `register.ts` in
 * production builds): it keeps the app shell so that a reload with no network, or with the
 * server down, still opens the app. The session (supabase-js, localStorage), the unsent
 * messages (the IndexedDB outbox) and drafts (localStorage) are the app's own; this file only
 * makes the page load, and shows pushed notifications (see the end). Routing rules: `cache-policy.ts`.
 */
import { CACHE_PREFIX, CONFIG_PATH, SHELL_KEY, cacheRouteOf } from './cache-policy';
import { conversationOf, conversationPath, parsePushPayload } from './push-payload';

// Typed by the WebWorker library (see ./tsconfig.json): this file runs in the worker's scope, not a page's.
declare const self: ServiceWorkerGlobalScope;

/*
 * Filled in by the build: a hash of the build and the files to precache (index.html as "/",
 * every emitted asset, the public files), comma-separated.
 */
const BUILD = '__CHAT_SW_BUILD__';
const PRECACHE = '__CHAT_SW_PRECACHE__'.split(',').filter((path) => path !== '');
const CACHE = `${CACHE_PREFIX}${BUILD}`;
const precached = new Set(PRECACHE);

/** How long a navigation waits for the network before the cached shell is shown instead. */
const NETWORK_TIMEOUT_MS = 4_000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(async (cache) => {
        await cache.addAll(PRECACHE);
        // The page read its configuration before this worker existed: keep a copy now (best
        // effort: without it, only the next online start stores one).
        await cache.add(CONFIG_PATH).catch(() => undefined);
      })
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  switch (cacheRouteOf(request, self.location.origin, precached)) {
    case 'shell':
      event.respondWith(networkFirst(request, SHELL_KEY));
      break;
    case 'config':
      event.respondWith(networkFirst(request, request.url));
      break;
    case 'static':
      event.respondWith(cacheFirst(request));
      break;
    case 'pass':
      break;
  }
});

/** A response worth keeping: complete, same-origin, not redirected. */
function storable(response: Response): boolean {
  return response.ok && response.type === 'basic' && !response.redirected;
}

/** The network's answer (stored under `key`); the stored copy when the network fails or hangs. */
async function networkFirst(request: Request, key: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (storable(response)) await cache.put(key, response.clone()).catch(() => undefined);
    return response;
  });
  // When the cached copy wins, a late network failure is expected, not an error to report.
  network.catch(() => undefined);
  try {
    return await withTimeout(network, NETWORK_TIMEOUT_MS);
  } catch {
    const cached = await cache.match(key);
    // Nothing stored: wait for the network after all (its answer, or its error).
    return cached ?? network;
  }
}

/** Built files never change under one name: the stored copy, else the network's (then stored). */
async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (storable(response)) await cache.put(request, response.clone()).catch(() => undefined);
  return response;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/*
 * Notifications (PROTOCOL.md section 13): the server pushes `{conversation_id, message_id,
 * title, body}` while no page of the app is in view. One notification per conversation (the
 * tag); a click focuses an open window and tells it to open the conversation, or opens the app
 * there.
 */
self.addEventListener('push', (event) => {
  const payload = parsePushPayload(event.data?.text());
  // userVisibleOnly: every push shows something, even one that is not ours to read.
  const title = payload?.title ?? 'New message';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: payload?.body ?? '',
      ...(payload
        ? {
            tag: payload.conversation_id,
            data: { conversation_id: payload.conversation_id, message_id: payload.message_id },
          }
        : {}),
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openConversation(conversationOf(event.notification.data)));
});

async function openConversation(conversationId: string | null): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (open) {
    if (conversationId) open.postMessage({ type: 'open-conversation', conversation_id: conversationId });
    await open.focus().catch(() => undefined);
    return;
  }
  await self.clients.openWindow(new URL(conversationPath(conversationId), self.location.origin).href);
}
