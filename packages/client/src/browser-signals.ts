/*
 * What a browser tells about the network and the page. Guarded with
 * `typeof globalThis.window !== 'undefined'` so the client runs in Node unchanged.
 * The DOM types are declared locally: the package is type-checked without them.
 */
interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}
interface BrowserGlobals {
  window?: EventSource;
  document?: EventSource & { visibilityState?: string };
  navigator?: { onLine?: boolean };
}

const browser = globalThis as BrowserGlobals;

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
  const win = typeof browser.window !== 'undefined' ? browser.window : undefined;
  if (!win) return () => {};
  const doc = browser.document;
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
  return typeof browser.window !== 'undefined' && browser.navigator?.onLine === false;
}
