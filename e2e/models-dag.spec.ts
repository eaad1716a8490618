import { expect, test, type Page } from '@playwright/test';
import { mobileNetUpload, MOBILE_LABELS } from './fixtures/tiny-models';
import { canvasStats, expectBackend, litPixels, readSumAndDelta, tinyPhotoPng } from './helpers';

const METHODS = ['gradient', 'guided-backprop', 'gradient-x-input', 'integrated-gradients', 'deeplift-rescale', 'deeplift-revealcancel', 'deeplift-shap'];

const photo = () => ({ name: 'photo.png', mimeType: 'image/png', buffer: tinyPhotoPng(40, 30) });

async function loadModel(page: Page, side: number | null, name: string): Promise<void> {
  await page.getByTestId('model-upload').setInputFiles(await mobileNetUpload(side, name));
  await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText(name, { timeout: 90_000 });
}

/** Top-5 labels from the model's labels, the heatmap drawn, Σ C = Δt on screen. */
async function expectExplained(page: Page): Promise<{ sum: number; delta: number }> {
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('probabilities').locator('li')).toHaveCount(5);
  for (const label of await page.getByTestId('probabilities').locator('.prob-digit').allTextContents()) expect(MOBILE_LABELS).toContain(label);
  expect(MOBILE_LABELS).toContain((await page.getByTestId('prediction').textContent()) ?? '');
  await expect.poll(() => litPixels(page, 'heatmap'), { timeout: 30_000 }).toBeGreaterThan(100);
  const r = await readSumAndDelta(page);
  expect(Math.abs(r.delta)).toBeGreaterThan(0);
  expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(r.delta)));
  return r;
}

test.describe('A MobileNetV2-style functional model (wasm)', () => {
  test('Conv, BatchNorm, ReLU6, DepthwiseConv2D, residual Add, GAP: top-5, heatmap, Σ C = Δt', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await expectBackend(page, 'wasm');
    await loadModel(page, 32, 'tiny_mobilenet');
    await expect(page.getByTestId('input-height')).toHaveValue('32');
    await expect(page.getByTestId('input-height')).toBeDisabled();
    await expect(page.getByTestId('error-message')).toHaveCount(0);
    await page.getByTestId('explain-upload').setInputFiles(photo());
    await expectExplained(page);
    await page.getByTestId('rule-select').selectOption('revealcancel');
    await page.getByTestId('reference-select').selectOption('blurred');
    await expect(page.getByTestId('heatmap')).toBeVisible();
    await expect(async () => {
      await expectExplained(page);
    }).toPass({ timeout: 60_000 });
  });

  test('a dynamic input (None × None × 3, GAP): the user picks the size and the model sees it', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await expectBackend(page, 'wasm');
    await loadModel(page, null, 'tiny_mobilenet_dyn');
    await expect(page.getByTestId('input-height')).toBeEnabled();
    await page.getByTestId('input-height').fill('24');
    await page.getByTestId('input-width').fill('40');
    await page.getByTestId('explain-upload').setInputFiles(photo());
    await expectExplained(page);
    const seen = page.locator('figure.model-input figcaption');
    await expect(seen).toContainText('24 × 40', { timeout: 30_000 });
    // Another size: a new exact explanation at that size.
    await page.getByTestId('input-height').fill('16');
    await expect(seen).toContainText('16 × 40', { timeout: 60_000 });
    await expectExplained(page);
  });

  test('Which filters decided on the photo model: its conv layers, bars for the explained class, Σ vs Δt, and a branch that is not a cut', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await expectBackend(page, 'wasm');
    await loadModel(page, 32, 'tiny_mobilenet_filters');
    await page.getByTestId('explain-upload').setInputFiles(photo());
    const { delta } = await expectExplained(page);
    const select = page.getByTestId('filters-layer-select');
    await expect(select.locator('option')).toHaveText([
      'stem_conv (8 filters, 16×16)', 'expand_conv (16 filters, 16×16)', 'depthwise (16 filters, 16×16)',
      'project_conv (8 filters, 16×16)', 'block_add (8 filters, 16×16)', 'head_conv (12 filters, 16×16)',
    ], { timeout: 60_000 });
    await expect(select).toHaveValue('head_conv');
    const bars = page.getByTestId('filters-bars').getByRole('listitem');
    await expect(bars).toHaveCount(12, { timeout: 60_000 });
    await expect(page.getByTestId('filter-map')).toHaveCount(4);
    const barTotal = async () => {
      const v = await bars.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-value'))));
      for (let i = 1; i < v.length; i++) expect(v[i - 1]!).toBeGreaterThanOrEqual(v[i]!); // largest first
      return v.reduce((a, b) => a + b, 0);
    };
    expect(Math.abs((await barTotal()) - delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(delta)));
    await expect(page.getByTestId('filters-sum-readout')).toContainText(`Δt = ${delta.toFixed(4)}`);
    await expect(page.locator('.explain-filters')).toContainText('every path to the output passes this layer');

    // The depthwise conv sits in the residual branch: its filters carry only part of Δt, and the card says so.
    await select.selectOption('depthwise');
    await expect(bars).toHaveCount(16, { timeout: 60_000 });
    await expect(page.locator('.explain-filters')).toContainText('other paths bypass this layer');
    await expect(page.getByTestId('filters-sum-readout')).toContainText(`Δt = ${delta.toFixed(4)}`);
    expect(Math.abs((await barTotal()) - delta)).toBeGreaterThan(1e-3);

    // A chosen class: the bars follow it, and the cut again sums to the panel's new Δt.
    await select.selectOption('block_add');
    await page.getByTestId('target-select').selectOption({ label: 'canoe' });
    await expect(page.getByTestId('heatmap')).toHaveAttribute('aria-label', /canoe/, { timeout: 60_000 });
    await expect(page.locator('.explain-filters')).toContainText('contributions to canoe', { timeout: 60_000 });
    await expect(async () => {
      const now = await readSumAndDelta(page);
      await expect(bars).toHaveCount(8);
      expect(Math.abs((await barTotal()) - now.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(now.delta)));
    }).toPass({ timeout: 60_000 });
  });

  test('Compare on the photo model: every gradient method side by side, DeepLIFT Σ = the Explain panel\'s Δt', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await expectBackend(page, 'wasm');
    await loadModel(page, 32, 'tiny_mobilenet_compare');
    await page.getByTestId('explain-upload').setInputFiles(photo());
    const { delta } = await expectExplained(page);
    await page.getByTestId('tab-compare').click();
    await expect(page.getByTestId('compare-view')).toContainText('Every method on one photo');
    for (const method of METHODS) {
      const item = page.getByTestId(`compare-map-${method}`);
      await expect(item).toContainText(/Σ/, { timeout: 90_000 });
      await expect(item).toContainText(/ms/);
      expect((await canvasStats(page, `compare-map-${method}`)).colours, `${method} map has structure`).toBeGreaterThan(3);
    }
    await expect(page.getByTestId('compare-map-gradient')).toContainText('no reference, no Δt');
    for (const method of ['deeplift-rescale', 'deeplift-revealcancel']) {
      const text = (await page.getByTestId(`compare-map-${method}`).textContent()) ?? '';
      const [sum, d] = (text.replace(/−/g, '-').match(/Σ (-?\d+\.\d+).*Δt (-?\d+\.\d+)/) ?? []).slice(1).map(Number);
      expect(Math.abs(sum! - d!), text).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(d!)));
      if (method === 'deeplift-rescale') expect(Math.abs(d! - delta)).toBeLessThanOrEqual(1.5e-3); // the same Δt as the Explain panel (3 vs 4 decimals)
    }
  });

  test('the Explain worker dies on a photo model: the message says the photo and model are kept, and the next change is explained', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await expectBackend(page, 'wasm');
    await loadModel(page, 32, 'tiny_mobilenet_crash');
    await page.getByTestId('explain-upload').setInputFiles(photo());
    const before = await expectExplained(page);
    await page.evaluate(() => window.__dreamlift!.faults.killWorker('explain', 'throw'));
    const error = page.locator('#panel-explain').getByTestId('error-message');
    await expect(error).toContainText(/worker stopped unexpectedly/i);
    await expect(error).toContainText('Your photo, its last explanation and the model tiny_mobilenet_crash with its input settings are kept');
    await expect(error).not.toContainText(/drawing/);
    expect(await readSumAndDelta(page)).toEqual(before); // the result stays on screen
    // The next change: a fresh worker restores the model from IndexedDB and explains the photo again.
    await page.getByTestId('reference-select').selectOption('blurred');
    await expect(error).toHaveCount(0, { timeout: 90_000 });
    await expect(async () => {
      const now = await expectExplained(page);
      expect(now.delta).not.toBeCloseTo(before.delta, 4);
    }).toPass({ timeout: 90_000 });
  });
});
