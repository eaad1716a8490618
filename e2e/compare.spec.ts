import { expect, test } from '@playwright/test';
import { canvasStats, drawSeven, mnistDigit } from './helpers';

const METHODS = [
  'gradient',
  'guided-backprop',
  'gradient-x-input',
  'integrated-gradients',
  'deeplift-rescale',
  'deeplift-revealcancel',
  'deeplift-shap',
];

test.describe('Compare', () => {
  test('every method explains a drawn digit, each map with its Σ vs Δt and cost', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await drawSeven(page);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    await page.getByTestId('tab-compare').click();
    const view = page.getByTestId('compare-view');
    await expect(view).toBeVisible();
    for (const method of METHODS) {
      const item = page.getByTestId(`compare-map-${method}`);
      await expect(item).toContainText(/Σ/, { timeout: 90_000 });
      await expect(item).toContainText(/ms/);
      expect((await canvasStats(page, `compare-map-${method}`)).colours, `${method} map has structure`).toBeGreaterThan(3);
    }
    // DeepLIFT's maps add up to Δt.
    const text = (await page.getByTestId('compare-map-deeplift-rescale').textContent()) ?? '';
    const [sum, delta] = (text.match(/Σ (-?\d+\.\d+).*Δt (-?\d+\.\d+)/) ?? []).slice(1).map(Number);
    expect(sum).toBeDefined();
    expect(Math.abs(sum! - delta!)).toBeLessThanOrEqual(2e-3);
  });

  test('erase to convert: the slider erases pixels and changes the shown log-odds', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(8, 1));
    await expect(page.getByTestId('prediction')).toHaveText('8');
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('erase-original').selectOption('8');
    await page.getByTestId('erase-target').selectOption('3');
    const slider = page.getByTestId('erase-slider');
    const shown = page.getByTestId('erase-logodds-deeplift-revealcancel');
    await slider.fill('0');
    await expect(shown).toHaveText(/^-?0\.00$/, { timeout: 90_000 });
    await slider.fill('100');
    await expect(shown).not.toHaveText(/^-?0\.00$/);
    const after = Number(await shown.textContent());
    expect(after).toBeGreaterThan(1);
  });
});
