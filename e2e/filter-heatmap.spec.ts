import { expect, test } from '@playwright/test';
import { canvasStats, expectBackend, tinyPhotoPng } from './helpers';

test('Dream: where a filter fires — the heatmap appears over a tiny photo and Σ C matches Δt (wasm)', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/?backend=wasm');
  await page.getByTestId('tab-dream').click();
  await expectBackend(page, 'wasm');
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
  await expect(page.getByTestId('photo-info')).toContainText('64');
  await page.getByTestId('layer-select').selectOption('mixed3');
  await page.getByTestId('filter-input').fill('17');
  await page.getByTestId('filter-input').blur();
  await page.getByTestId('filter-heatmap-run').click();
  await expect(page.getByTestId('filter-heatmap')).toBeVisible({ timeout: 180_000 });
  const text = (await page.getByTestId('filter-heatmap-readout').textContent()) ?? '';
  const [sum, delta] = text.replace(/−/g, '-').match(/-?\d+\.\d+/g)!.map(Number) as [number, number];
  expect(Math.abs(delta)).toBeGreaterThan(0);
  expect(Math.abs(sum - delta)).toBeLessThanOrEqual(2e-3 * Math.max(1, Math.abs(delta)));
  expect((await canvasStats(page, 'filter-heatmap')).colours).toBeGreaterThan(20);
});
