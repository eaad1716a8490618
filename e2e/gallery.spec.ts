import { expect, test } from '@playwright/test';
import { expectBackend, longestTask, watchLongTasks } from './helpers';

test.describe('Filter gallery (WASM, tiny thumbnails)', () => {
  test('thumbnails appear, clicking one sets the filter, the cache survives a reload, the main thread stays free', async ({ page }) => {
    await watchLongTasks(page);
    await page.goto('/?backend=wasm&thumb=48x4');
    await page.getByTestId('tab-dream').click();
    const gallery = page.getByTestId('filter-gallery');
    await expect(gallery).toBeVisible();
    await expectBackend(page, 'wasm');
    await expect(gallery.getByRole('listbox')).toHaveAccessibleName('Filters of mixed3');
    // Only thumbnail streaming counts, not page load and model start.
    await expect(page.getByTestId('gallery-progress')).toBeVisible({ timeout: 120_000 });
    await longestTask(page, true);
    await expect(page.getByTestId('filter-thumb-0')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
    await expect(page.getByTestId('filter-thumb-1')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
    const longest = await longestTask(page);
    console.log(`longest main-thread task while thumbnails streamed: ${longest.toFixed(0)} ms`);
    expect(longest, 'longest main-thread task while thumbnails stream (ms)').toBeLessThan(50);
    // The thumbnail is drawn (4 steps from a near-grey start give a faint picture, not a flat placeholder).
    const colours = await page.getByTestId('filter-thumb-0').locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const set = new Set<number>();
      for (let i = 0; i < d.length; i += 4) set.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return set.size;
    });
    expect(colours).toBeGreaterThan(10);

    await page.getByTestId('filter-thumb-1').click();
    await expect(page.getByTestId('filter-input')).toHaveValue('1');
    await expect(page.getByTestId('filter-thumb-1')).toHaveAttribute('aria-selected', 'true');
    // Keyboard: focus moves right, Enter picks.
    await page.getByTestId('filter-thumb-1').press('ArrowRight');
    await expect(page.getByTestId('filter-thumb-2')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('filter-input')).toHaveValue('2');

    // Scrolling to the end of the rendered page renders the next one, and the queue follows.
    await expect(page.getByTestId('filter-thumb-60')).toHaveCount(0);
    await gallery.getByRole('listbox').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await expect(page.getByTestId('filter-thumb-60')).toHaveCount(1);
    await expect(page.getByTestId('filter-thumb-47')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });

    const cached = await page.evaluate(() => new Promise<number>((resolve, reject) => {
      const open = indexedDB.open('dreamlift-thumbnails');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const count = open.result.transaction('thumbnails').objectStore('thumbnails').count();
        count.onsuccess = () => resolve(count.result);
      };
    }));
    expect(cached).toBeGreaterThanOrEqual(2);

    await page.reload();
    await page.getByTestId('tab-dream').click();
    // From the cache: there before any thumbnail could be computed again.
    await expect(page.getByTestId('filter-thumb-0')).toHaveAttribute('data-ready', 'true', { timeout: 5_000 });
    await expect(page.getByTestId('filter-thumb-1')).toHaveAttribute('data-ready', 'true', { timeout: 5_000 });
  });

  test('"What does this photo excite?" ranks eight filters of the layer for a sample photo; one click picks one', async ({ page }) => {
    await page.goto('/?backend=wasm&thumb=48x4');
    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('128');
    await page.getByTestId('dream-sample-chelsea').click();
    await expect(page.getByTestId('photo-info')).toContainText('128');
    await page.getByTestId('excites-run').click();
    const items = page.getByTestId('excites-list').getByRole('button');
    await expect(items).toHaveCount(8, { timeout: 120_000 });
    const first = page.getByTestId('excites-list').getByRole('button').first();
    const channel = (await first.getAttribute('data-testid'))!.replace('excites-item-', '');
    await expect(first).toHaveAccessibleName(new RegExp(`^Filter ${channel}: [\\d.]+ times its usual activation`));
    // Its thumbnail is drawn before the rest of the queue.
    await expect(first.locator('canvas')).toBeVisible({ timeout: 120_000 });
    await first.click();
    await expect(page.getByTestId('filter-input')).toHaveValue(channel);
  });
});
