import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { badModelUploads, goodModelUpload, TINY_LABELS } from './fixtures/tiny-models';
import { litPixels, readSumAndDelta, tinyPhotoPng } from './helpers';

const photo = () => ({ name: 'photo.png', mimeType: 'image/png', buffer: tinyPhotoPng(40, 30) });

/** Loads the tiny 6-class model and waits until it is selected. */
async function loadGoodModel(page: Page): Promise<void> {
  await page.getByTestId('model-upload').setInputFiles(await goodModelUpload());
  await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('tiny_photo', { timeout: 90_000 });
}

/** Uploads a photo and waits for its explanation; returns the top-1 label. */
async function explainPhoto(page: Page): Promise<string> {
  await page.getByTestId('explain-upload').setInputFiles(photo());
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('probabilities').locator('li')).toHaveCount(5);
  const { sum, delta } = await readSumAndDelta(page);
  expect(Math.abs(sum - delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(delta)));
  expect(Math.abs(delta)).toBeGreaterThan(0);
  return (await page.getByTestId('prediction').textContent()) ?? '';
}

test.describe('Your own models', () => {
  test('load a model with labels, explain a photo, see it again after a reload, remove it', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('MNIST digits (built in)');
    await expect(page.getByTestId('draw-canvas')).toBeVisible();
    await loadGoodModel(page);
    // A photo model takes photos, not drawings.
    await expect(page.getByTestId('draw-canvas')).toHaveCount(0);
    await expect(page.getByTestId('input-height')).toHaveValue('8');
    await expect(page.getByTestId('input-height')).toBeDisabled();
    await expect(page.getByTestId('input-channels')).toHaveText('3 (RGB)');

    const top1 = await explainPhoto(page);
    expect(TINY_LABELS).toContain(top1);
    for (const label of await page.getByTestId('probabilities').locator('.prob-digit').allTextContents()) expect(TINY_LABELS).toContain(label);
    expect(await litPixels(page, 'heatmap')).toBeGreaterThan(100);
    expect(await litPixels(page, 'model-sees')).toBeGreaterThan(100);

    // Target, contrast, reference and rule each give a new exact explanation.
    await page.getByTestId('target-select').selectOption({ label: 'cat' });
    await page.getByTestId('contrast-select').selectOption({ label: 'fern' });
    await page.getByTestId('reference-select').selectOption('blurred');
    await page.getByTestId('rule-select').selectOption('revealcancel');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('aria-label', /cat rather than fern/);
    const { sum, delta } = await readSumAndDelta(page);
    expect(Math.abs(sum - delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(delta)));

    // DeepLIFT-SHAP over eight blurred and noisy references: Σ C = mean Δt.
    const single = await readSumAndDelta(page);
    await page.getByTestId('reference-select').selectOption('shap');
    await expect.poll(async () => (await readSumAndDelta(page)).delta).not.toBeCloseTo(single.delta, 4);
    const shap = await readSumAndDelta(page);
    expect(Math.abs(shap.sum - shap.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(shap.delta)));

    // At full opacity the map alone shows: blue (negative) pixels, until "positive only" leaves none.
    await page.getByTestId('heatmap-opacity').fill('1');
    const bluePixels = () => page.getByTestId('heatmap').evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 2]! > data[i]! + 40) n++;
      return n;
    });
    await expect.poll(bluePixels).toBeGreaterThan(0);
    await page.getByTestId('heatmap-positive').check();
    await expect.poll(bluePixels).toBe(0);

    await page.reload();
    const select = page.getByTestId('model-select');
    await expect(select.locator('option', { hasText: 'tiny_photo' })).toHaveCount(1);
    await select.selectOption({ label: 'tiny_photo' });
    expect(TINY_LABELS).toContain(await explainPhoto(page));

    await page.getByTestId('model-remove').click();
    await expect(select.locator('option:checked')).toHaveText('MNIST digits (built in)');
    await page.reload();
    await expect(page.getByTestId('model-select').locator('option')).toHaveCount(1);
  });

  test('a model without labels names its classes "class 0 … class K−1"', async ({ page }) => {
    await page.goto('/?backend=wasm');
    const files = (await goodModelUpload()).filter((f) => f.name !== 'labels.txt');
    await page.getByTestId('model-upload').setInputFiles(files);
    await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('tiny_photo', { timeout: 90_000 });
    expect(await explainPhoto(page)).toMatch(/^class [0-5]$/);
  });

  test('on a phone (390 px) a photo model and its long options fit the screen: no sideways scrolling', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/?backend=wasm');
    await loadGoodModel(page);
    await explainPhoto(page);
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBeLessThanOrEqual(390);
    // The reference picker holds the longest option (DeepLIFT-SHAP …); choosing it must not widen the page either.
    const longest = await page.getByTestId('reference-select').locator('option').evaluateAll((os) => (os as HTMLOptionElement[]).reduce((a, o) => (o.text.length > a.text.length ? o : a)).value);
    await page.getByTestId('reference-select').selectOption(longest);
    expect(await width()).toBeLessThanOrEqual(390);
  });

  test('input settings: fit pads what the model sees, a new scaling gives a new explanation, both kept after a reload', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await loadGoodModel(page);
    await explainPhoto(page);
    // The 40×30 photo centre-cropped to 8×8 fills every row; fitted it is 8×6 with a black row above and below.
    const topRow = () => page.getByTestId('model-sees').evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const [r, g, b] = c.getContext('2d')!.getImageData(c.width / 2, 2, 1, 1).data;
      return r! + g! + b!;
    });
    expect(await topRow()).toBeGreaterThan(0);
    await page.getByTestId('input-resize').selectOption('fit');
    await expect.poll(topRow).toBe(0);
    const fitted = await readSumAndDelta(page);
    await page.getByTestId('input-scaling').selectOption('signed');
    await expect.poll(async () => (await readSumAndDelta(page)).delta).not.toBeCloseTo(fitted.delta, 4);
    const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).include('.explain').analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
    await page.reload();
    await page.getByTestId('model-select').selectOption({ label: 'tiny_photo' });
    await expect(page.getByTestId('input-resize')).toHaveValue('fit');
    await expect(page.getByTestId('input-scaling')).toHaveValue('signed');
  });

  test('a model.json URL on the app’s own origin loads like files (the built-in MNIST model as a photo model)', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.getByLabel('model.json URL on this site').fill('/models/mnist/model.json');
    await page.getByRole('button', { name: 'Load URL' }).click();
    await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('mnist', { timeout: 90_000 });
    await expect(page.getByTestId('input-channels')).toHaveText('1 (grayscale)');
    expect(await explainPhoto(page)).toMatch(/^class \d$/);
    await page.getByLabel('model.json URL on this site').fill('/models/nothing/model.json');
    await page.getByRole('button', { name: 'Load URL' }).click();
    await expect(page.getByTestId('error-message')).toHaveText(/\/models\/nothing\/model\.json (was not found on this site|could not be fetched \(HTTP 404\))/);
    await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('mnist');
  });

  test('a whole folder loads (picked or dropped), named after the folder', async ({ page }) => {
    const root = await mkdtemp(path.join(tmpdir(), 'dreamlift-models-'));
    const folder = path.join(root, 'my_flowers');
    await mkdir(folder);
    const files = await goodModelUpload();
    try {
      for (const f of files) await writeFile(path.join(folder, f.name), f.buffer);
      await page.goto('/?backend=wasm');
      await page.getByTestId('model-upload-folder').setInputFiles(folder);
      await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('my_flowers', { timeout: 90_000 });
      expect(TINY_LABELS).toContain(await explainPhoto(page));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    // Dropping the files on the model bar loads them too (a second copy gets a numbered name).
    const payload = files.map((f) => ({ name: f.name, type: f.mimeType, bytes: Array.from(f.buffer) }));
    await page.locator('.model-bar').evaluate((bar, list) => {
      const data = new DataTransfer();
      for (const f of list) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
      bar.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, payload);
    await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('tiny_photo', { timeout: 90_000 });
    await expect(page.getByTestId('model-select').locator('option')).toHaveCount(3);
  });

  for (const name of ['a missing shard', 'a shard of the wrong size', 'a GraphModel', 'an unsupported layer', 'an input that is not an image', 'a label count that does not match the outputs', 'a model too large for the device']) {
    test(`refuses ${name} with a clear message and keeps the current model and results`, async ({ page }) => {
      const bad = (await badModelUploads()).find((b) => b.name === name)!;
      await page.goto('/?backend=wasm');
      await loadGoodModel(page);
      const top1 = await explainPhoto(page);
      const before = await readSumAndDelta(page);
      await page.getByTestId('model-upload').setInputFiles(bad.files);
      await expect(page.getByTestId('error-message')).toHaveText(bad.message, { timeout: 90_000 });
      await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText('tiny_photo');
      await expect(page.getByTestId('model-select').locator('option')).toHaveCount(2);
      await expect(page.getByTestId('prediction')).toHaveText(top1);
      expect(await readSumAndDelta(page)).toEqual(before);
    });
  }
});
