import type { PageVisibility } from './types';

/*
 * What a browser tells about the network and the page. Every use is guarded by
 * `typeof window`, so the client runs in Node (where there is no window) unchanged.
 */

export interface BrowserSignalHandlers {
  /** The network came back: reconnect now instead of waiting out the backoff. */
  online(): void;
  /** The network is gone: show 'offline'. */
  offline(): void;
  /** The page became visible: check the connection (timers may have slept with the tab). */
  visible(): void;
}

/** Listens to `online`, `offline` and `visibilitychange`; returns the function that stops listening. */
export function watchBrowserSignals(handlers: BrowserSignalHandlers): () => void {
  if (typeof window === 'undefined') return () => {};
  const win = window;
  const doc = typeof document === 'undefined' ? undefined : document;
  const online = () => handlers.online();
  const offline = () => handlers.offline();
  const visibility = () => {
    if (doc?.visibilityState === 'visible') handlers.visible();
  };
  win.addEventListener('online', online);
  win.addEventListener('offline', offline);
  doc?.addEventListener('visibilitychange', visibility);
  return () => {
    win.removeEventListener('online', online);
    win.removeEventListener('offline', offline);
    doc?.removeEventListener('visibilitychange', visibility);
  };
}

/** True only when the browser says it is offline (never in Node). */
export function browserSaysOffline(): boolean {
  return typeof window !== 'undefined' && typeof navigator !== 'undefined' && navigator.onLine === false;
}

/** The document's visibility (`visibilitychange`), or null where there is no document (Node). */
export function documentVisibility(): PageVisibility | null {
  if (typeof document === 'undefined') return null;
  const doc = document;
  return {
    isVisible: () => doc.visibilityState !== 'hidden',
    watch(listener) {
      const changed = () => listener(doc.visibilityState !== 'hidden');
      doc.addEventListener('visibilitychange', changed);
      return () => doc.removeEventListener('visibilitychange', changed);
    },
  };
}
