/**
 * Faults, end to end: a compute worker dying mid-run, WebGPU missing or its
 * device lost, a model file missing or corrupt, and a dream cancelled and
 * restarted many times. Each is injected for real (the debug handle's fault
 * hooks, page.route, a browser without WebGPU) and the app must say so, keep
 * the user's work and serve the next request. WASM unless WebGPU is the point.
 */
import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { canvasFingerprint, drawSeven, expectBackend, latestExplanation, litPixels, mnistDigit, tinyPhotoPng } from './helpers';


async function openTinyPhoto(page: Page, width = 64, height = 48) {
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(width, height) });
  await expect(page.getByTestId('photo-info')).toContainText(`${width}×${height}`);
}

async function setNumber(page: Page, testId: string, value: number) {
  const input = page.getByTestId(testId);
  await input.fill(String(value));
  await input.blur();
}

const dreamStatus = (page: Page) => page.evaluate(() => window.__dreamlift!.dream().status);

async function waitForDreamEnd(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(() => ['done', 'error', 'idle'].includes(window.__dreamlift!.dream().status), undefined, { timeout });
  return dreamStatus(page);
}

async function waitForFirstFrame(page: Page, timeout = 120_000) {
  await page.waitForFunction(() => (window.__dreamlift!.dream().progress?.fraction ?? 0) > 0, undefined, { timeout });
}

test.describe('Faults: a worker dies', () => {
  for (const how of ['terminate', 'throw'] as const) {
    test(`the Dream worker dies mid-dream (${how}): said so, photo and settings kept, the next dream works`, async ({ page }) => {
      await page.goto('/?backend=wasm');
      await openTinyPhoto(page);
      await setNumber(page, 'octaves-input', 2);
      await setNumber(page, 'steps-input', 30);
      await page.getByTestId('dream-start').click();
      await waitForFirstFrame(page);
      await page.evaluate((h) => window.__dreamlift!.faults.killWorker('dream', h), how);

      const error = page.locator('#panel-dream').getByTestId('error-message');
      await expect(error).toContainText(/worker stopped unexpectedly/i);
      await expect(error).toContainText(/photo and settings are kept/i);
      expect(await dreamStatus(page)).toBe('error');
      await expect(page.getByTestId('photo-info')).toContainText('64×48');
      await expect(page.getByTestId('steps-input')).toHaveValue('30');
      await expect(page.getByTestId('octaves-input')).toHaveValue('2');

      // The next request starts a fresh worker and completes.
      await setNumber(page, 'steps-input', 2);
      await page.getByTestId('dream-start').click();
      expect(await waitForDreamEnd(page)).toBe('done');
      await expect(error).toHaveCount(0);
      await expectBackend(page, 'wasm');
      const memory = await page.evaluate(() => window.__dreamlift!.memory());
      expect(memory.dream?.backend).toBe('wasm');
    });
  }

  test('the Explain worker dies: said so, the drawing kept, the next stroke is explained', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await drawSeven(page);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    await latestExplanation(page, 7);
    const ink = await litPixels(page, 'draw-canvas');

    await page.evaluate(() => window.__dreamlift!.faults.killWorker('explain', 'throw'));
    const error = page.locator('#panel-explain').getByTestId('error-message');
    await expect(error).toContainText(/worker stopped unexpectedly/i);
    await expect(error).toContainText(/drawing is kept/i);
    expect(await litPixels(page, 'draw-canvas')).toBe(ink);
    await expect(page.getByTestId('prediction')).toHaveText('7');

    // A new digit through the same path as a stroke: a fresh worker explains it.
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
    const r = await latestExplanation(page, 3);
    expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(r.delta)));
    await expect(error).toHaveCount(0);
    await expect(page.getByTestId('prediction')).toHaveText('3');
  });
});

test.describe('Faults: model files', () => {
  test('a missing digit model: clear error + Retry; Dream works meanwhile; Retry works once it is back', async ({ page }) => {
    await page.route('**/models/mnist/model.json', (route) => route.fulfill({ status: 404, body: 'not found', headers: { 'cache-control': 'no-store' } }));
    await page.goto('/?backend=wasm');
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
    const error = page.locator('#panel-explain').getByTestId('error-message');
    await expect(error).toContainText(/digit model could not be loaded/i);
    const retry = page.locator('#panel-explain').getByTestId('error-retry');
    await expect(retry).toBeVisible();

    // The Dream panel is unaffected.
    await openTinyPhoto(page);
    await setNumber(page, 'octaves-input', 1);
    await setNumber(page, 'steps-input', 2);
    await page.getByTestId('dream-start').click();
    expect(await waitForDreamEnd(page)).toBe('done');

    await page.unroute('**/models/mnist/model.json');
    await page.getByTestId('tab-explain').click();
    await retry.click();
    await latestExplanation(page, 3);
    await expect(error).toHaveCount(0);
    await expect(page.getByTestId('prediction')).toHaveText('3');
  });

  test('corrupt Deep Dream weights: clear error + Retry; Explain works meanwhile; Retry works once they are back', async ({ page }) => {
    const garbage = Buffer.alloc(4096, 0x5a);
    await page.route('**/models/inception-mixed5/*.bin', (route) =>
      route.fulfill({ status: 200, body: garbage, contentType: 'application/octet-stream', headers: { 'cache-control': 'no-store' } }),
    );
    await page.goto('/?backend=wasm');
    await openTinyPhoto(page);
    const error = page.locator('#panel-dream').getByTestId('error-message');
    await expect(error).toContainText(/model could not be loaded/i);
    const retry = page.locator('#panel-dream').getByTestId('error-retry');
    await expect(retry).toBeVisible();

    // The Explain panel is unaffected (driven through the debug handle: reopening the Dream tab would retry by itself).
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(7, 0));
    await latestExplanation(page, 7);

    await page.unroute('**/models/inception-mixed5/*.bin');
    await retry.click();
    await expect(error).toHaveCount(0);
    await page.waitForFunction(() => window.__dreamlift!.dream().model === 'ready', undefined, { timeout: 120_000 });
    await setNumber(page, 'octaves-input', 1);
    await setNumber(page, 'steps-input', 2);
    await page.getByTestId('dream-start').click();
    expect(await waitForDreamEnd(page)).toBe('done');
  });
});

test.describe('Faults: cancel storm', () => {
  test('six cancels and restarts in a row: no tensor leak, no stale frame over the final run', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await openTinyPhoto(page);
    await setNumber(page, 'octaves-input', 2);
    await setNumber(page, 'steps-input', 3);
    // A reference run: its final frame, and the worker's tensor count at rest (model loaded, nothing running).
    await page.getByTestId('dream-start').click();
    expect(await waitForDreamEnd(page)).toBe('done');
    const reference = await canvasFingerprint(page);
    const baseline = (await page.evaluate(() => window.__dreamlift!.memory())).dream!;
    expect(baseline.backend).toBe('wasm');
    expect(baseline.numTensors).toBeGreaterThan(0);

    for (let i = 0; i < 6; i++) {
      await page.getByTestId('dream-start').click();
      // Cancel at different moments: before the first frame, and after one or more frames.
      if (i % 2 === 1) await waitForFirstFrame(page);
      await page.getByTestId('dream-cancel').click();
      expect(await dreamStatus(page)).toBe('idle');
    }
    await page.getByTestId('dream-start').click();
    expect(await waitForDreamEnd(page)).toBe('done');
    // Same settings and seed: the final run ends on exactly the reference frame, and nothing later overwrites it.
    expect(await canvasFingerprint(page)).toBe(reference);
    await page.waitForTimeout(1500);
    expect(await canvasFingerprint(page)).toBe(reference);
    await expect(page.locator('#panel-dream').getByTestId('error-message')).toHaveCount(0);

    // Cancelled jobs finish their current step in the worker; wait until it is at rest again.
    await expect
      .poll(async () => (await page.evaluate(() => window.__dreamlift!.memory())).dream!.numTensors, { timeout: 30_000 })
      .toBe(baseline.numTensors);
  });
});

test.describe('Faults: WebGPU device lost', () => {
  test('losing the device mid-run on Explain falls back to WASM, says so, and the next request works', async ({ page }) => {
    await page.goto('/?backend=webgpu');
    await expectBackend(page, 'webgpu');
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(8, 3));
    await latestExplanation(page, 8);
    // Lose the device about when a new request runs (in flight or just done), then ask again.
    await page.evaluate((d) => {
      window.__dreamlift!.setDigit(d);
      return new Promise((resolve) => setTimeout(resolve, 200));
    }, mnistDigit(3, 0));
    expect(await page.evaluate(() => window.__dreamlift!.faults.loseDevice('explain'))).toBe(true);
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(7, 0));
    await expectBackend(page, 'wasm');
    await expect(page.getByRole('note')).toContainText(/WebGPU device was lost/i);
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('title', /lost/);
    const r = await latestExplanation(page, 7);
    expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(r.delta)));
    // And the next one too.
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
    await latestExplanation(page, 3);
    expect((await page.evaluate(() => window.__dreamlift!.memory())).explain?.backend).toBe('wasm');
  });

  test('losing the device mid-dream falls back to WASM, says so, and the next dream works', async ({ page }) => {
    test.setTimeout(240_000);
    await page.goto('/?backend=webgpu');
    await openTinyPhoto(page, 48, 48);
    await page.getByTestId('max-side-select').selectOption('64');
    await setNumber(page, 'octaves-input', 1);
    await setNumber(page, 'steps-input', 20);
    await page.getByTestId('dream-start').click();
    await waitForFirstFrame(page, 200_000);
    expect(await page.evaluate(() => window.__dreamlift!.faults.loseDevice('dream'))).toBe(true);
    const error = page.locator('#panel-dream').getByTestId('error-message');
    await expect(error).toContainText(/GPU device was lost/i);
    await expect(error).toContainText(/photo and settings are kept/i);
    await page.waitForFunction(() => window.__dreamlift!.runtime().backends.dream?.name === 'wasm', undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => window.__dreamlift!.runtime().backends.dream?.fallbackReason)).toMatch(/lost/);
    await expect(page.getByTestId('photo-info')).toContainText('48×48');
    await setNumber(page, 'steps-input', 2);
    await page.getByTestId('dream-start').click();
    expect(await waitForDreamEnd(page)).toBe('done');
  });
});

test.describe('Faults: no WebGPU at all', () => {
  test('Chromium without WebGPU falls back with a visible notice and still explains a digit', async ({ baseURL }) => {
    // A browser of its own, launched without --enable-unsafe-webgpu.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs.filter((a) => a !== '--enable-unsafe-webgpu') });
    try {
      const page = await browser.newPage({ baseURL });
      await page.goto('/');
      expect(await page.evaluate(async () => (await navigator.gpu?.requestAdapter()) ?? null)).toBeNull();
      await expect(page.getByTestId('backend-badge')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 90_000 });
      await expect(page.getByRole('note')).toContainText(/^Using (webgl|wasm|cpu): .*webgpu/i);
      await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
      await latestExplanation(page, 3);
      await expect(page.getByTestId('prediction')).toHaveText('3');

      // Forcing WebGPU where there is none falls back too, and says why.
      await page.goto('/?backend=webgpu');
      await expect(page.getByTestId('backend-badge')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 90_000 });
      await expect(page.getByRole('note')).toContainText(/webgpu/i);
      await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(7, 0));
      await latestExplanation(page, 7);
    } finally {
      await browser.close();
    }
  });
});
