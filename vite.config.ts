import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * Content-Security-Policy of the built app: nothing from outside our origin.
 * 'wasm-unsafe-eval' lets the WASM backend compile its module; workers come from
 * our origin (Vite emits them as files); images may be blob:/data: (user photos,
 * frames, downloads). Dev mode is left without it because Vite injects inline scripts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  // Films play from blob: URLs (encoded in the page's worker).
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'dreamlift-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}

/** The largest file the service worker precaches (a weight shard is 4 MiB, the one worker program about 2.3 MB). */
const PRECACHE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The service worker, generated at build time by Workbox (vite-plugin-pwa). It precaches the
 * built app, the WASM files, both built-in models and the samples, each with a revision that is
 * its content hash (or a hashed file name), so after one visit the app opens with no network.
 * It is registered by src/ui/session/service-worker.ts (`injectRegister: false`: no inline
 * script, the CSP stays as strict), and a new version waits until the page's prompt reloads
 * into it, so a page never mixes files of two versions. Not active in dev (`npm start`).
 */
function serviceWorker() {
  return VitePWA({
    injectRegister: false,
    registerType: 'prompt',
    strategies: 'generateSW',
    // The glob below already lists the icons and the favicon; listing them twice would only repeat entries.
    includeAssets: [],
    includeManifestIcons: false,
    manifest: {
      name: 'DreamLift',
      short_name: 'DreamLift',
      description: 'Look inside a convolutional network on your own device: DeepLIFT explanations and Deep Dream.',
      start_url: '.',
      scope: '.',
      display: 'standalone',
      background_color: '#0f1117',
      theme_color: '#0f1117',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,wasm,json,bin,png,jpg,svg,webmanifest}'],
      maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
      // Each shard is checked against its SHA-256 by the workers, which also repair the cache.
      clientsClaim: false,
      skipWaiting: false,
    },
    devOptions: { enabled: false },
  });
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy(), serviceWorker()],
  worker: { format: 'es' },
  // Pre-bundle what the workers import, so the dev server does not discover it on first use
  // and reload the page (which would wipe a drawing).
  optimizeDeps: {
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'comlink', 'react', 'react-dom', 'react-dom/client', 'zustand'],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  // The preview server (used by the end-to-end tests) also sends the policy as a header,
  // which is what applies inside workers.
  preview: { headers: { 'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'` } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/engine/**/*.test.ts', 'src/session/**/*.test.ts', 'src/workers/**/*.test.ts', 'src/cli/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['src/ui/**/*.test.{ts,tsx}', 'src/state/**/*.test.{ts,tsx}'],
          setupFiles: ['src/test-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
