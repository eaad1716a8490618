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

  test('a second tab does not overwrite the first one’s session; it says so, and takes over when the first tab closes', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.getByTestId('rule-select').selectOption('revealcancel');
    await page.evaluate(() => window.__dreamlift!.session.flush());
    await expect.poll(() => page.evaluate(() => window.__dreamlift!.session.state().status)).toBe('saved');

    const second = await page.context().newPage();
    await second.goto('/?backend=wasm');
    await expect(second.getByTestId('storage-notice')).toContainText('open in another tab');
    await expect(second.getByTestId('rule-select')).toHaveValue('revealcancel');
    await second.getByTestId('rule-select').selectOption('rescale');
    // The first tab changes something else and is still the one that saves.
    await page.getByTestId('tab-dream').click();
    await page.evaluate(() => window.__dreamlift!.session.flush());

    await page.close();
    await expect.poll(() => second.evaluate(() => window.__dreamlift!.session.state().status), { timeout: 15_000 }).toBe('saved');
    await expect(second.getByTestId('storage-notice')).toHaveCount(0);
    await second.evaluate(() => window.__dreamlift!.session.flush());
    await second.reload();
    // Its own change is kept, and the first tab's last saved choice (the Dream tab) came in.
    await expect(second.getByTestId('tab-dream')).toHaveAttribute('aria-selected', 'true');
    await second.getByTestId('tab-explain').click();
    await expect(second.getByTestId('rule-select')).toHaveValue('rescale');
    await expect(second.getByTestId('storage-notice')).toHaveCount(0);
  });
});

test.describe('Dream history', () => {
  test('a cancelled dream is kept too; earlier dreams reopen and download; newest first', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('64');
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('64');
    await page.getByTestId('octaves-input').fill('1');
    await page.getByTestId('steps-input').fill('200');
    await page.getByTestId('steps-input').blur();
    await page.getByTestId('dream-start').click();
    await page.waitForFunction(() => (window.__dreamlift!.dream().progress?.step ?? 0) >= 2, undefined, { timeout: 120_000 });
    await page.getByTestId('dream-cancel').click();
    const items = page.getByTestId('dream-history-item');
    await expect(items).toHaveCount(1);
    await expect(items.first()).toContainText('cancelled');
    const cancelled = await dreamPixels(page);

    // Reload: the cancelled result is what the canvas shows.
    await page.reload();
    await expect(page.getByTestId('dream-download')).toBeEnabled();
    expect(meanAbsDiff(await dreamPixels(page), cancelled)).toBeLessThan(1);

    await page.getByTestId('layer-select').selectOption('mixed4');
    await dreamToEnd(page, 1, 2);
    await expect(items).toHaveCount(2);
    await expect(items.first()).toContainText('mixed4');
    await expect(items.first()).not.toContainText('cancelled');
    expect(meanAbsDiff(await dreamPixels(page), cancelled)).toBeGreaterThan(1);

    await items.nth(1).getByTestId('dream-history-open').click();
    await expect.poll(async () => meanAbsDiff(await dreamPixels(page), cancelled)).toBeLessThan(1);

    const download = page.waitForEvent('download');
    await items.first().getByTestId('dream-history-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('dreamlift-mixed4-64x48.png');
  });

  test('the history keeps the newest 12 and drops the oldest', async ({ page }) => {
    await page.goto('/?backend=wasm');
    // Fourteen earlier dreams, written straight into the session database.
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('dreamlift-session');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const canvas = new OffscreenCanvas(8, 8);
      canvas.getContext('2d')!.fillRect(0, 0, 8, 8);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const tx = db.transaction('history', 'readwrite');
      for (let i = 0; i < 14; i++) {
        tx.objectStore('history').put({ id: `old-${i}`, createdAt: 1_000_000 + i, width: 8, height: 8, layer: 'mixed1', isPartial: false, image: blob, thumbnail: blob });
      }
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    });
    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('64');
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('64');
    await page.getByTestId('layer-select').selectOption('mixed2');
    await dreamToEnd(page, 1, 1);
    const items = page.getByTestId('dream-history-item');
    // Saved once encoded (a moment after the run ends); then it survives a reload.
    await expect(items.first()).toContainText('mixed2');
    await expect(items).toHaveCount(12);
    await page.reload();
    await expect(items).toHaveCount(12);
    await expect(items.first()).toContainText('mixed2');
    // The oldest three (old-0 … old-2) were dropped: the last one shown is old-3.
    const ids = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const r = indexedDB.open('dreamlift-session');
        r.onsuccess = () => resolve(r.result);
      });
      const keys = await new Promise<IDBValidKey[]>((resolve) => {
        const r = db.transaction('history').objectStore('history').getAllKeys();
        r.onsuccess = () => resolve(r.result);
      });
      db.close();
      return keys.map(String);
    });
    expect(ids.filter((k) => k.startsWith('old-')).sort()).toEqual(['old-10', 'old-11', 'old-12', 'old-13', 'old-3', 'old-4', 'old-5', 'old-6', 'old-7', 'old-8', 'old-9']);
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
