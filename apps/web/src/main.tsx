// First: it configures zod before any schema is built.
import './zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { registerServiceWorker } from './sw/register';
import './styles/app.css';

const root = createRoot(document.getElementById('root')!);

/**
 * `?gallery` renders the components with sample data, for checking looks without a server.
 * It is a separate chunk, fetched only then: never part of the app's main path.
 */
if (new URLSearchParams(window.location.search).has('gallery')) {
  void import('./features/gallery/gallery').then(({ Gallery }) =>
    root.render(
      <StrictMode>
        <Gallery />
      </StrictMode>,
    ),
  );
} else {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  registerServiceWorker();
}
