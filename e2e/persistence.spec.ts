import { expect, test, type Page } from '@playwright/test';
import { drawSeven, dreamToEnd, latestExplanation, litPixels, tinyPhotoPng } from './helpers';

/** RGBA bytes of the dream canvas, subsampled (for comparing what is shown before and after a reload). */
function dreamPixels(page: Page): Promise<number[]> {
  return page.getByTestId('dream-canvas').evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return Array.from(data.filter((_, i) => i % 16 === 0));
  });
}

function meanAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
}

/** Records whether the empty Dream canvas ("Choose a photo…") or an empty drawing state was ever on screen. */
async function watchForEmptyState(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __sawEmpty: boolean };
    w.__sawEmpty = false;
    new MutationObserver(() => {
      if (document.querySelector('.dream-empty')) w.__sawEmpty = true;
    }).observe(document, { childList: true, subtree: true });
  });
}

test.describe('The session survives a reload', () => {
  test('draw, dream, change settings, reload: everything is back, the explanation recomputed, Undo works', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await drawSeven(page);
    const before = await latestExplanation(page);
    await page.getByTestId('rule-select').selectOption('revealcancel');
    await page.getByTestId('target-select').selectOption('1');
    await page.waitForFunction(() => window.__dreamlift!.explain().result?.target === 1 && window.__dreamlift!.explain().status === 'idle', undefined, { timeout: 90_000 });
    const explained = await latestExplanation(page);

    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('64');
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('64');
    await page.getByTestId('layer-select').selectOption('mixed2');
    await dreamToEnd(page, 1, 1);
    await expect(page.getByTestId('dream-history-item')).toHaveCount(1);
    const dreamt = await dreamPixels(page);
    // A setting changed after the run is kept too.
    await page.getByTestId('steps-input').fill('3');
    await page.getByTestId('steps-input').blur();
    await page.evaluate(() => window.__dreamlift!.session.flush());

    await watchForEmptyState(page);
    await page.reload();
    await expect(page.getByTestId('tab-dream')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('photo-info')).toContainText('64');
    await expect(page.getByTestId('steps-input')).toHaveValue('3');
    await expect(page.getByTestId('layer-select')).toHaveValue('mixed2');
    await expect(page.getByTestId('dream-download')).toBeEnabled();
    await expect(page.getByTestId('dream-history-item')).toHaveCount(1);
    expect(meanAbsDiff(await dreamPixels(page), dreamt), 'restored dream vs shown before').toBeLessThan(1);
    expect(await page.evaluate(() => (window as unknown as { __sawEmpty: boolean }).__sawEmpty), 'empty state flashed').toBe(false);

    await page.getByTestId('tab-explain').click();
    await expect(page.getByTestId('rule-select')).toHaveValue('revealcancel');
    await expect(page.getByTestId('target-select')).toHaveValue('1');
    const after = await latestExplanation(page);
    expect(after.predicted).toBe(explained.predicted);
    expect(after.target).toBe(1);
    const scale = Math.max(...explained.attributions.map(Math.abs));
    const worst = Math.max(...after.attributions.map((a, i) => Math.abs(a - explained.attributions[i]!)));
    expect(worst / scale, 'restored drawing explains as before').toBeLessThan(0.02);
    expect(before.predicted).toBe(explained.predicted);

    // The drawing came back as strokes: Undo removes the one stroke and leaves an empty canvas.
    expect(await litPixels(page, 'draw-canvas')).toBeGreaterThan(100);
    await page.getByRole('button', { name: 'Undo' }).click();
    expect(await litPixels(page, 'draw-canvas')).toBe(0);
  });

  test('start fresh clears the stored session after a confirmation', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await drawSeven(page);
    await latestExplanation(page);
    await page.getByTestId('rule-select').selectOption('revealcancel');
    await page.evaluate(() => window.__dreamlift!.session.flush());
    await page.getByTestId('start-fresh').click();
    // Keep: nothing happens.
    await page.getByTestId('start-fresh-cancel').click();
    await page.reload();
    await expect(page.getByTestId('rule-select')).toHaveValue('revealcancel');
    await page.getByTestId('start-fresh').click();
    await Promise.all([page.waitForEvent('load'), page.getByTestId('start-fresh-confirm').click()]);
    await expect(page.getByTestId('rule-select')).toHaveValue('rescale');
    expect(await litPixels(page, 'draw-canvas')).toBe(0);
  });
});

test.describe('Storage that fails', () => {
  test('IndexedDB unavailable (private window): a notice, and the app works in memory', async ({ page }) => {
    await page.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('The user denied permission to access the database.', 'InvalidStateError');
      };
    });
    await page.goto('/?backend=wasm');
    await expect(page.getByTestId('storage-notice')).toContainText(/cannot be saved on this device/);
    await drawSeven(page);
    const r = await latestExplanation(page);
    expect(r.predicted).toBeGreaterThanOrEqual(0);
  });

  test('storage full: a notice, the app goes on, and what was stored before is intact after a reload', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.getByTestId('rule-select').selectOption('revealcancel');
    await page.evaluate(() => window.__dreamlift!.session.flush());
    // From now on every write fails as a full disk does.
    await page.evaluate(() => {
      IDBObjectStore.prototype.put = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await page.getByTestId('rule-select').selectOption('rescale');
    await drawSeven(page);
    await page.evaluate(() => window.__dreamlift!.session.flush());
    await expect(page.getByTestId('storage-notice')).toContainText(/Storage is full/);
    await latestExplanation(page);
    await page.reload();
    await expect(page.getByTestId('rule-select')).toHaveValue('revealcancel');
    expect(await litPixels(page, 'draw-canvas')).toBe(0);
  });
});
