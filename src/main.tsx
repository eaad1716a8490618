import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/app';
import { startPersistence } from './state/persistence';
import { installDebugHandle } from './ui/debug-handle';
import { openPhotoBlob } from './ui/dream/photo-loader';
import { registerServiceWorker } from './ui/session/service-worker';
import './ui/styles.css';

installDebugHandle();
registerServiceWorker();

/** Longest wait for the stored session before showing the app anyway (ms). */
const HYDRATE_TIMEOUT_MS = 5000;

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
// The stored session is restored before the first render, so the empty app never flashes.
await Promise.race([startPersistence({ restorePhoto: openPhotoBlob }), new Promise((resolve) => setTimeout(resolve, HYDRATE_TIMEOUT_MS))]);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
