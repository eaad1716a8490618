import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';
import { drawSeven, dreamToEnd, latestExplanation, tinyPhotoPng } from './helpers';
import { serveDist, type StaticServer } from './static-server';

let server: StaticServer | null = null;

test.afterEach(async () => {
  await server?.stop();
  server = null;
});

test.describe('Installable and offline', () => {
  test('after one visit the app opens with its server stopped; both panels work', async ({ page }) => {
    server = await serveDist();
    const url = `${server.url}/?backend=wasm`;
    await page.goto(url);
    // The service worker installs once everything is precached (app, WASM, both models).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const precached = await page.evaluate(async () => {
      const names = await caches.keys();
      const urls = (await Promise.all(names.map(async (n) => (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)))).flat();
      return urls;
    });
    for (const needed of ['/index.html', '/models/mnist/weights.bin', '/models/inception-mixed5/group1-shard1of3.bin', '/models/inception-mixed5/group1-shard3of3.bin']) {
      expect(precached, `precached ${needed}`).toContain(needed);
    }
    expect(precached.some((p) => /\/assets\/tfjs-backend-wasm-simd-.*\.wasm$/.test(p))).toBe(true);

    await server.stop();
    server = null;
    await page.reload();
    await expect(page.getByTestId('draw-canvas')).toBeVisible();
    await drawSeven(page);
    const result = await latestExplanation(page, 7);
    expect(Math.abs(result.sum - result.delta)).toBeLessThan(1e-3 * Math.max(1, Math.abs(result.delta)));

    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('64');
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('64');
    await dreamToEnd(page, 1, 1);
  });

  test('a new version is announced and used only after the reload the page offers', async ({ page }) => {
    server = await serveDist();
    await page.goto(`${server.url}/?backend=wasm`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);

    // Deploy a new version (a different service worker) and let the page look for it.
    const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
    server.override('/sw.js', `${readFileSync(path.join(dist, 'sw.js'), 'utf8')}\n// the next version\n`);
    await page.evaluate(() => (window as unknown as { __oldPage: boolean }).__oldPage = true);
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.update()));
    await expect(page.getByTestId('update-prompt')).toBeVisible();
    // Until the user says so, the old version keeps serving this page (a new one only waits).
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.waiting !== null))).toBe(true);

    await page.getByTestId('update-reload').click();
    await page.waitForFunction(() => !(window as unknown as { __oldPage?: boolean }).__oldPage, undefined, { timeout: 30_000 });
    await expect(page.getByTestId('draw-canvas')).toBeVisible();
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);
    expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.waiting === null && r!.active !== null))).toBe(true);
  });

  test('the build has a web app manifest with PNG icons, linked from the page', async ({ page }) => {
    server = await serveDist();
    await page.goto(server.url);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
    const manifest = JSON.parse(readFileSync(path.join(dist, href!.replace(/^\//, '')), 'utf8')) as {
      name: string;
      display: string;
      start_url: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    expect(manifest.name).toBe('DreamLift');
    expect(manifest.display).toBe('standalone');
    const sizes = manifest.icons.map((i) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) {
      const png = PNG.sync.read(readFileSync(path.join(dist, icon.src)));
      expect(`${png.width}x${png.height}`).toBe(icon.sizes);
    }
  });
});
