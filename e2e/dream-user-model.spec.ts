import { expect, test, type Page } from '@playwright/test';
import { mobileNetUpload } from './fixtures/tiny-models';
import { canvasFingerprint, canvasStats, dreamToEnd, expectBackend, tinyPhotoPng } from './helpers';

/** Where screenshots of the Dream panel go when SCREENSHOT_DIR is set (README figures); none otherwise. */
const shots = process.env.SCREENSHOT_DIR;

async function screenshot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });
}

/** A 64×48 photo, one octave of two steps; the canvas must change. */
async function dreamTinyPhoto(page: Page): Promise<void> {
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
  await expect(page.getByTestId('photo-info')).toContainText('64');
  const before = await canvasFingerprint(page);
  await dreamToEnd(page, 1, 2);
  expect(await canvasFingerprint(page)).not.toBe(before);
}

test.describe('Dream with your own model (wasm)', () => {
  test('a 32×32 MobileNet-style model from the Explain model bar: its layers with channel counts, a dream at 64 px, where a filter fires, its thumbnails, a guided dream; model, layer and guide survive a reload; its removal falls back to InceptionV3', async ({ page }) => {
    test.setTimeout(420_000);
    await page.goto('/?backend=wasm&thumb=48x2');
    await expectBackend(page, 'wasm');
    await page.getByTestId('model-upload').setInputFiles(await mobileNetUpload(32, 'tiny_mobilenet'));
    await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('tiny_mobilenet', { timeout: 90_000 });

    await page.getByTestId('tab-dream').click();
    await page.getByTestId('dream-model-select').selectOption({ label: 'tiny_mobilenet' });
    const layers = page.getByTestId('layer-select').locator('option');
    await expect(layers).toHaveText([
      'stem_conv → stem_relu · 8 filters',
      'expand_conv → expand_relu · 16 filters',
      'depthwise → depthwise_relu · 16 filters',
      'project_conv · 8 filters',
      'block_add · 8 filters',
      'head_conv → head_relu · 12 filters',
    ], { timeout: 120_000 });
    await expect(page.getByTestId('dream-model-hint')).toContainText('6 layers to dream with');

    await page.getByTestId('max-side-select').selectOption('64');
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('64');
    await page.getByTestId('layer-select').selectOption('expand_relu');
    await page.getByTestId('filter-input').fill('16');
    await expect(page.getByText('This layer has 16 channels: enter a channel number from 0 to 15.')).toBeVisible();
    await page.getByTestId('filter-input').fill('5');
    await page.getByTestId('filter-input').blur();
    await screenshot(page, 'dream-user-model-1280');

    // A dream on the fixed 32×32 model at the photo's own 64×48.
    const before = await canvasFingerprint(page);
    await dreamToEnd(page, 1, 2);
    expect(await canvasFingerprint(page)).not.toBe(before);
    await expect(page.getByTestId('error-message')).toHaveCount(0);

    // Where filter 5 of expand_relu fires: the heatmap, with Σ C = Δt.
    await page.getByTestId('filter-heatmap-run').click();
    await expect(page.getByTestId('filter-heatmap')).toBeVisible({ timeout: 120_000 });
    const text = (await page.getByTestId('filter-heatmap-readout').textContent()) ?? '';
    const [sum, delta] = text.replace(/−/g, '-').match(/-?\d+\.\d+/g)!.map(Number) as [number, number];
    expect(Math.abs(delta)).toBeGreaterThan(0);
    expect(Math.abs(sum - delta)).toBeLessThanOrEqual(2e-3 * Math.max(1, Math.abs(delta)));
    expect((await canvasStats(page, 'filter-heatmap')).colours).toBeGreaterThan(10);
    await page.getByTestId('filter-heatmap').scrollIntoViewIfNeeded();
    await screenshot(page, 'dream-user-model-heatmap-1280');

    // The gallery shows this model's filters and draws them.
    await expect(page.getByTestId('filter-gallery')).toContainText('16 filters in expand_relu');
    await expect(page.getByTestId('filter-thumb-0')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });

    // A guided dream on the user model (the whole layer: the filter emptied).
    await page.getByTestId('filter-input').fill('');
    await page.getByTestId('guide-upload').setInputFiles({ name: 'guide.png', mimeType: 'image/png', buffer: tinyPhotoPng(48, 48) });
    await expect(page.getByTestId('guide-info')).toContainText('guide.png');
    await dreamToEnd(page, 1, 1);

    // After a reload the session brings the model, its layer and the guide back (written first: a reload
    // right after a change can outrun the debounced write, as it can for any setting).
    await page.evaluate(() => window.__dreamlift!.session.flush());
    await page.reload();
    await page.getByTestId('tab-dream').click();
    await expect(page.getByTestId('dream-model-select').locator('option:checked')).toHaveText('tiny_mobilenet', { timeout: 60_000 });
    await expect(page.getByTestId('layer-select')).toHaveValue('expand_relu', { timeout: 120_000 });
    await expect(page.getByTestId('guide-info')).toContainText('guide.png');
    await expect(page.getByTestId('guide-info')).toContainText('48×48');

    // Removed in Explain: Dream goes back to InceptionV3 and says why.
    await page.getByTestId('tab-explain').click();
    await page.getByTestId('model-select').selectOption({ label: 'tiny_mobilenet' });
    await page.getByTestId('model-remove').click();
    await page.getByTestId('tab-dream').click();
    await expect(page.getByTestId('dream-model-notice')).toHaveText('“tiny_mobilenet” was removed from your models. Dream is back on InceptionV3.');
    await expect(page.getByTestId('dream-model-select')).toHaveValue('inception');
    await expect(page.getByTestId('layer-select')).toHaveValue('mixed3');
  });
});

test('Dream with your own model on WebGPU (software adapter): one tiny dream of a depthwise layer', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=webgpu');
  await expectBackend(page, 'webgpu');
  await page.getByTestId('model-upload').setInputFiles(await mobileNetUpload(32, 'tiny_mobilenet'));
  await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('tiny_mobilenet', { timeout: 120_000 });
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('dream-model-select').selectOption({ label: 'tiny_mobilenet' });
  await expect(page.getByTestId('layer-select').locator('option')).toHaveCount(6, { timeout: 120_000 });
  await page.getByTestId('layer-select').selectOption('depthwise_relu');
  await dreamTinyPhoto(page);
  await expectBackend(page, 'webgpu');
});

test('a grey model (the MNIST classifier loaded by URL) lists its two conv layers and dreams a colour photo (wasm; the grey detail is checked in the engine test)', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/?backend=wasm');
  await page.getByLabel('model.json URL on this site').fill('/models/mnist/model.json');
  await page.getByRole('button', { name: 'Load URL' }).click();
  await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('mnist', { timeout: 90_000 });
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('dream-model-select').selectOption({ label: 'mnist' });
  await expect(page.getByTestId('layer-select').locator('option')).toHaveText(['conv1 · 32 filters', 'conv2 · 64 filters'], { timeout: 120_000 });
  await expect(page.getByTestId('dream-model-hint')).toContainText('A grey model');
  await dreamTinyPhoto(page);
});

test('screenshot: the Dream panel with a user model on a phone (390 px)', async ({ page }) => {
  test.skip(!shots, 'only when SCREENSHOT_DIR is set');
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/?backend=wasm&thumb=48x2');
  await page.getByTestId('model-upload').setInputFiles(await mobileNetUpload(32, 'tiny_mobilenet'));
  await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('tiny_mobilenet', { timeout: 90_000 });
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('dream-model-select').selectOption({ label: 'tiny_mobilenet' });
  await expect(page.getByTestId('dream-model-hint')).toContainText('6 layers to dream with', { timeout: 120_000 });
  await page.getByTestId('dream-model-select').scrollIntoViewIfNeeded();
  await screenshot(page, 'dream-user-model-390');
});
