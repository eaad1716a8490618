import { expect, test } from '@playwright/test';
import { expectBackend, latestExplanation, mnistDigit } from './helpers';

test('after a lost WebGPU device, "Try WebGPU again" brings Explain back onto WebGPU without a reload', async ({ page }) => {
  await page.goto('/?backend=webgpu');
  await expectBackend(page, 'webgpu');
  await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(8, 3));
  await latestExplanation(page, 8);
  await expect(page.getByTestId('webgpu-retry')).toHaveCount(0);

  expect(await page.evaluate(() => window.__dreamlift!.faults.loseDevice('explain'))).toBe(true);
  await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(7, 0));
  await expectBackend(page, 'wasm');
  await latestExplanation(page, 7);
  const retry = page.getByTestId('webgpu-retry');
  await expect(retry).toBeVisible();

  await retry.click();
  await expectBackend(page, 'webgpu');
  await expect(retry).toHaveCount(0);
  await expect(page.getByRole('note')).not.toContainText(/lost/i);
  // The current drawing is explained again, on WebGPU.
  await page.waitForFunction(() => window.__dreamlift!.explain().status === 'idle' && window.__dreamlift!.explain().result !== null, undefined, { timeout: 90_000 });
  await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
  await latestExplanation(page, 3);
  expect((await page.evaluate(() => window.__dreamlift!.memory())).explain?.backend).toBe('webgpu');
});
