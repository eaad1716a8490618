/**
 * Issue 12 (what a newcomer trips over), Explain side, in the real app on WASM:
 * photographed digits and not-a-digit photos, the layout on desktop and phone
 * (screenshots; `UPDATE_SCREENSHOTS=1` rewrites docs/screenshots), downloads, and a shareable link.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { digitPhoto } from '../src/engine/image/testing/synthetic-photo';
import { drawSeven, mnistDigit } from './helpers';

const here = dirname(fileURLToPath(import.meta.url));
/** The app's own copies of the sample photos. */
const samples = resolve(here, '../public/samples');
/** The README's screenshots are rewritten only on request (UPDATE_SCREENSHOTS=1); otherwise they go to test-results. */
const SHOTS = resolve(here, process.env.UPDATE_SCREENSHOTS ? '../docs/screenshots' : '../test-results/screenshots');

function photoPng(digit: number): Buffer {
  const width = 64;
  const height = 56;
  const rgba = digitPhoto(mnistDigit(digit, 5), { width, height, digitSide: 40, rotation: 6, seed: 3 });
  const png = new PNG({ width, height });
  png.data.set(rgba);
  return PNG.sync.write(png);
}

async function idle(page: Page, predicted?: number) {
  await page.waitForFunction(
    (p) => {
      const s = window.__dreamlift?.explain();
      return s?.status === 'idle' && s.result !== null && (p === undefined || s.result.predicted === p);
    },
    predicted,
    { timeout: 90_000 },
  );
}

test.describe('Explain for newcomers', () => {
  test('desktop 1400×900: canvas, prediction and heatmap in one view; downloads', async ({ page }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto('/?backend=wasm');
    await drawSeven(page);
    await idle(page, 7);
    for (const id of ['draw-canvas', 'prediction', 'heatmap']) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.y + box.height, `${id} above the fold`).toBeLessThanOrEqual(900);
    }
    await expect(page.getByTestId('heatmap-title')).toHaveText('Why 7: DeepLIFT contributions to class 7');
    await page.screenshot({ path: `${SHOTS}/explain-desktop.png` });
    const png = page.waitForEvent('download');
    await page.getByTestId('heatmap-export').getByRole('button', { name: /PNG/ }).click();
    const file = await png;
    expect(file.suggestedFilename()).toBe('deeplift-rescale-class-7.png');
    const bytes = readFileSync((await file.path())!);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const csv = page.waitForEvent('download');
    await page.getByTestId('heatmap-export').getByRole('button', { name: /CSV/ }).click();
    const rows = readFileSync((await (await csv).path())!, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(28);
  });

  test('phone 390×844: the prediction and a heatmap stay in sight while drawing', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/?backend=wasm');
    await page.getByTestId('draw-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await drawSeven(page);
    await idle(page, 7);
    const strip = page.getByTestId('result-strip');
    await expect(strip).toBeVisible();
    await expect(strip).toContainText('7');
    const canvas = (await page.getByTestId('draw-canvas').boundingBox())!;
    const result = (await strip.boundingBox())!;
    for (const box of [canvas, result]) {
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(844);
    }
    await page.screenshot({ path: `${SHOTS}/explain-phone.png` });
  });

  test('a photographed digit is read; a photo that is not a digit is warned about in words', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.getByTestId('explain-upload').setInputFiles({ name: 'three.png', mimeType: 'image/png', buffer: photoPng(3) });
    await idle(page, 3);
    await expect(page.getByTestId('not-a-digit')).toHaveCount(0);
    await page.getByTestId('explain-upload').setInputFiles(resolve(samples, 'chelsea.png'));
    await expect(page.getByTestId('not-a-digit')).toContainText('does not look like a handwritten digit');
    // Drawing again makes it the user's own digit: the warning goes.
    await drawSeven(page);
    await expect(page.getByTestId('not-a-digit')).toHaveCount(0);
  });

  test('a link carries the settings, never the drawing', async ({ page }) => {
    await page.goto('/?backend=wasm&rule=revealcancel&target=8&contrast=3&reference=blurred');
    await expect(page.getByTestId('rule-select')).toHaveValue('revealcancel');
    await expect(page.getByTestId('target-select')).toHaveValue('8');
    await expect(page.getByTestId('contrast-select')).toHaveValue('3');
    await expect(page.getByTestId('reference-select')).toHaveValue('blurred');
    await drawSeven(page);
    await idle(page);
    await expect(page.getByTestId('heatmap-title')).toHaveText('Why 8 rather than 3: DeepLIFT contributions');
    await page.getByTestId('rule-select').selectOption('rescale');
    await expect.poll(() => new URL(page.url()).search).toBe('?backend=wasm&target=8&contrast=3&reference=blurred');
    expect(page.url().length).toBeLessThan(120);
  });
});
