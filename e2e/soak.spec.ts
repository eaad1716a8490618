import { expect, test } from '@playwright/test';
import { soak } from '../bench/soak-driver';

/**
 * Short soak (CI): about 30 s of explanations (digits, strokes, setting
 * changes, superseded runs) and tiny dreams with cancellations on WASM; the
 * workers' tensors and bytes must come back to their warmed-up values and the
 * page's JS heap must stay within the bound. The long version is `npm run soak`.
 */
test('soak: many explanations and cancelled dreams leak no tensors and keep the heap bounded', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm', { timeout: 90_000 });
  const report = await soak(page, { durationMs: 30_000, seed: 7, snapshotEveryMs: 60_000 });
  test.info().annotations.push({ type: 'soak', description: JSON.stringify({ counts: report.counts, growth: report.growth }) });
  console.log(`soak: ${JSON.stringify({ counts: report.counts, growth: report.growth })}`);
  expect(report.counts.dreamsStarted, 'dreams started').toBeGreaterThan(0);
  expect(report.counts.setDigit! + report.counts.strokes!, 'inputs changed').toBeGreaterThan(5);
  expect(report.failures).toEqual([]);
});
