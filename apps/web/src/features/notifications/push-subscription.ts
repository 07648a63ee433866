import type { ChatApi } from '@chat/client';

/** The VAPID key as `applicationServerKey` wants it: base64url to bytes. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/gu, '+').replace(/_/gu, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  if (!('serviceWorker' in navigator)) throw new Error('no service worker here');
  const found = await navigator.serviceWorker.getRegistration();
  if (!found || !('pushManager' in found)) throw new Error('no push here');
  return found;
}

/**
 * Subscribes this browser to Web Push with the server's key and gives the server the
 * subscription (again, if it existed: the same endpoint replaces it). Throws when push is not
 * available (no worker, no push service reachable); the page's own notifications still work.
 */
export async function subscribePush(api: ChatApi): Promise<void> {
  const reg = await registration();
  let subscription = await reg.pushManager.getSubscription();
  if (!subscription) {
    const key = await api.pushKey();
    subscription = await reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(key),
    });
  }
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!json.endpoint || !p256dh || !auth) throw new Error('the push subscription has no keys');
  await api.addPushSubscription({ endpoint: json.endpoint, keys: { p256dh, auth } });
}

/** Ends this browser's push subscription, here and on the server (best effort each). */
export async function unsubscribePush(api: ChatApi): Promise<void> {
  const reg = await registration().catch(() => null);
  const subscription = await reg?.pushManager.getSubscription().catch(() => null);
  if (!subscription) return;
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe().catch(() => false);
  await api.removePushSubscription(endpoint).catch(() => undefined);
}
