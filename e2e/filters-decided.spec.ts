import { expect, test } from '@playwright/test';
import { drawSeven, expectBackend, readSumAndDelta } from './helpers';

test('Which filters decided: draw a digit, per-filter bars appear and add up to the panel\'s Δt (wasm)', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expectBackend(page, 'wasm');
  await drawSeven(page);
  await expect(page.getByTestId('prediction')).not.toBeEmpty();
  const bars = page.getByTestId('filters-bars').getByRole('listitem');
  await expect(bars).toHaveCount(64, { timeout: 60_000 }); // conv2, the default layer
  await expect(page.getByTestId('filter-map')).toHaveCount(4);

  const values = async () => (await bars.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-value')))));
  const check = async () => {
    const v = await values();
    for (let i = 1; i < v.length; i++) expect(v[i - 1]!).toBeGreaterThanOrEqual(v[i]!); // largest first
    const total = v.reduce((a, b) => a + b, 0);
    const { delta } = await readSumAndDelta(page);
    expect(Math.abs(total - delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(delta)));
    const text = (await page.getByTestId('filters-sum-readout').textContent()) ?? '';
    expect(text).toContain(`Δt = ${delta.toFixed(4)}`);
  };
  // The drawing streams explanations while the stroke goes on; the filters follow the latest one.
  await expect(check).toPass({ timeout: 30_000 });

  await page.getByTestId('filters-layer-select').selectOption('conv1');
  await expect(bars).toHaveCount(32, { timeout: 60_000 });
  await expect(check).toPass({ timeout: 30_000 });
});
