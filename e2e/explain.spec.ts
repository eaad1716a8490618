import { expect, test } from '@playwright/test';
import { digitPng, drawSeven, expectBackend, latestExplanation, litPixels, mnistDigit, readSumAndDelta } from './helpers';

type Explanation = Awaited<ReturnType<typeof latestExplanation>>;

test.describe('Explain', () => {
  test('draw a digit with the mouse: prediction, heatmap, Σ C = Δt (default backend)', async ({ page }) => {
    await page.goto('/');
    await drawSeven(page);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    await expect(page.getByTestId('probabilities')).toContainText('%');
    const r = await latestExplanation(page, 7);
    expect(r.target).toBe(7);
    expect(await litPixels(page, 'heatmap')).toBeGreaterThan(50);
    const { sum, delta } = await readSumAndDelta(page);
    expect(Math.abs(sum - delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(delta)));
    expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.delta)));
  });

  test('WebGPU attributions equal the CPU backend’s within 1e-3 of the largest', async ({ page }) => {
    const digit = mnistDigit(8, 3);
    for (const rule of ['rescale', 'revealcancel'] as const) {
      const results: Explanation[] = [];
      for (const backend of ['webgpu', 'cpu']) {
        await page.goto(`/?backend=${backend}`);
        await expectBackend(page, backend);
        await page.getByTestId('rule-select').selectOption(rule);
        await page.evaluate((d) => window.__dreamlift!.setDigit(d), digit);
        await page.waitForFunction((r) => window.__dreamlift!.explain().settings.rule === r, rule);
        results.push(await latestExplanation(page));
      }
      const [gpu, cpu] = results as [Explanation, Explanation];
      expect(gpu.predicted).toBe(cpu.predicted);
      const largest = Math.max(...cpu.attributions.map(Math.abs));
      expect(largest).toBeGreaterThan(0);
      const worst = Math.max(...gpu.attributions.map((a, i) => Math.abs(a - cpu.attributions[i]!)));
      expect(worst / largest, `rule ${rule}`).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(gpu.delta - cpu.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(cpu.delta)));
    }
  });

  for (const backend of ['webgl', 'wasm']) {
    test(`the ${backend} path explains a digit too`, async ({ page }) => {
      await page.goto(`/?backend=${backend}`);
      await expectBackend(page, backend);
      await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
      const r = await latestExplanation(page);
      expect(r.predicted).toBe(3);
      await expect(page.getByTestId('prediction')).toHaveText('3');
      expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(r.delta)));
    });
  }

  test('upload a PNG of a digit (dark ink on paper) and see it classified', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('explain-upload').setInputFiles({ name: 'three.png', mimeType: 'image/png', buffer: digitPng(mnistDigit(3, 5), 5, true) });
    await expect(page.getByTestId('prediction')).toHaveText('3');
    await latestExplanation(page, 3);
    expect(await litPixels(page, 'heatmap')).toBeGreaterThan(30);
  });

  test('a bad upload shows a clear error and keeps the drawing and its results', async ({ page }) => {
    await page.goto('/');
    await drawSeven(page);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    const inkBefore = await litPixels(page, 'draw-canvas');
    await page.getByTestId('explain-upload').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is a text file, not a picture') });
    const error = page.locator('#panel-explain').getByTestId('error-message');
    await expect(error).toBeVisible();
    await expect(error).toContainText(/not an image/i);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    expect(await litPixels(page, 'draw-canvas')).toBe(inkBefore);
    await page.getByTestId('explain-upload').setInputFiles({ name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) });
    await expect(error).toContainText(/empty/i);
    await expect(page.getByTestId('prediction')).toHaveText('7');
  });

  test('clear empties the canvas; the controls change the explanation', async ({ page }) => {
    await page.goto('/');
    await drawSeven(page);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    await page.getByTestId('target-select').selectOption('1');
    await page.waitForFunction(() => window.__dreamlift!.explain().result?.target === 1);
    await page.getByTestId('contrast-select').selectOption('7');
    await page.waitForFunction(() => window.__dreamlift!.explain().result?.contrast === 7);
    const { sum, delta } = await readSumAndDelta(page);
    expect(delta).toBeLessThan(0); // "1 rather than 7" for a clear 7
    expect(Math.abs(sum - delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(delta)));
    await page.getByTestId('draw-clear').click();
    expect(await litPixels(page, 'draw-canvas')).toBe(0);
  });
});
