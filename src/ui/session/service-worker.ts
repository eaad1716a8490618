/**
 * Registers the build's service worker (vite-plugin-pwa/Workbox, see
 * vite.config.ts) from our own module, never an inline script. Only in a
 * production build: the dev server (`npm start`) runs without one.
 *
 * Versions never mix: a new version installs in the background and waits; the
 * page offers a reload, and only then does the new worker take over. When it
 * takes over (from this tab or another), the page saves the session and reloads,
 * so no page runs old code against new files.
 */
import { Workbox } from 'workbox-window';
import { useAppUpdateStore } from '../../state/app-update-store';
import { flushSession } from '../../state/persistence';

/** How often an open tab asks whether a new version was deployed (ms). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const base = import.meta.env.BASE_URL;
  const wb = new Workbox(`${base}sw.js`, { scope: base });
  wb.addEventListener('waiting', () => {
    useAppUpdateStore.setState({
      isUpdateReady: true,
      applyUpdate: () => {
        void flushSession().finally(() => wb.messageSkipWaiting());
      },
    });
  });
  wb.addEventListener('controlling', (event) => {
    if (event.isUpdate) void flushSession().finally(() => location.reload());
  });
  void wb.register().catch(() => {
    /* no offline support in this browser session (private mode…); the app works online */
  });
  setInterval(() => void wb.update().catch(() => undefined), UPDATE_CHECK_MS);
}
