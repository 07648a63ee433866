/**
 * Registers the service worker (`/sw.js`, see `service-worker.ts`) in production builds, so a
 * reload without network or with the server down still opens the app. The dev server has none:
 * hot reload and a cached shell do not mix.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => {
      console.warn('Offline start is unavailable: the service worker did not register', error);
    });
  };
  // After the page's own loads, so the worker's precache does not compete with them.
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
