import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { latestExplanation, mnistDigit, tinyPhotoPng } from './helpers';

const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'models');
const mnistWeights = readFileSync(path.join(models, 'mnist', 'weights.bin'));
const trunkShard2 = readFileSync(path.join(models, 'inception-mixed5', 'group1-shard2of3.bin'));

/** A copy with one bit of one byte flipped (the same length: only a checksum can tell). */
function flipOneByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[Math.floor(copy.length / 2)]! ^= 0x10;
  return copy;
}

async function serveAltered(page: Page, pattern: string, body: Buffer) {
  await page.route(pattern, (route) => route.fulfill({ status: 200, body, contentType: 'application/octet-stream', headers: { 'cache-control': 'no-store' } }));
}

test.describe('Models are verified', () => {
  test('a flipped byte in the digit model: the model error with Retry; Retry works once the file is right', async ({ page }) => {
    await serveAltered(page, '**/models/mnist/weights.bin', flipOneByte(mnistWeights));
    await page.goto('/?backend=wasm');
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
    const error = page.locator('#panel-explain').getByTestId('error-message');
    await expect(error).toContainText(/weights\.bin is damaged/);
    await expect(error).toContainText(/could not be loaded/i);
    await page.unroute('**/models/mnist/weights.bin');
    await page.locator('#panel-explain').getByTestId('error-retry').click();
    await latestExplanation(page, 3);
    await expect(error).toHaveCount(0);
  });

  test('a truncated Deep Dream shard: the model error with Retry; Retry loads it once it is whole', async ({ page }) => {
    await serveAltered(page, '**/models/inception-mixed5/group1-shard2of3.bin', trunkShard2.subarray(0, trunkShard2.length - 4096));
    await page.goto('/?backend=wasm');
    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('64');
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
    const error = page.locator('#panel-dream').getByTestId('error-message');
    await expect(error).toContainText(/group1-shard2of3\.bin is damaged/);
    await page.unroute('**/models/inception-mixed5/group1-shard2of3.bin');
    await page.locator('#panel-dream').getByTestId('error-retry').click();
    await page.waitForFunction(() => window.__dreamlift!.dream().model === 'ready', undefined, { timeout: 120_000 });
    await expect(error).toHaveCount(0);
  });

  test('a damaged copy in the offline cache is dropped, fetched again, and the good copy cached', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    // Damage the precached digit weights in place, as a disk error would.
    const sha = (bytes: Buffer) => import('node:crypto').then((c) => c.createHash('sha256').update(bytes).digest('hex'));
    const damaged = await page.evaluate(async () => {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          if (new URL(request.url).pathname !== '/models/mnist/weights.bin') continue;
          const bytes = new Uint8Array(await (await cache.match(request))!.arrayBuffer());
          bytes[1000] ^= 0x01;
          await cache.put(request, new Response(bytes));
          return true;
        }
      }
      return false;
    });
    expect(damaged, 'the weights were precached').toBe(true);

    // The page is now controlled by the service worker, which serves the damaged copy first.
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
    await latestExplanation(page, 3);
    await expect(page.locator('#panel-explain').getByTestId('error-message')).toHaveCount(0);

    const cached = await page.evaluate(async () => {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          if (new URL(request.url).pathname === '/models/mnist/weights.bin') return Array.from(new Uint8Array(await (await cache.match(request))!.arrayBuffer()));
        }
      }
      return null;
    });
    expect(cached, 'a copy is cached again').not.toBeNull();
    expect(await sha(Buffer.from(cached!))).toBe(await sha(mnistWeights));
  });
});
