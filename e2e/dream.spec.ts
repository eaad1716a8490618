import { expect, test, type Page } from '@playwright/test';
import { canvasFingerprint, expectBackend, tinyPhotoPng, watchLongTasks } from './helpers';



async function openTinyPhoto(page: Page) {
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
  await expect(page.getByTestId('photo-info')).toContainText('64');
}

async function setNumber(page: Page, testId: string, value: number) {
  const input = page.getByTestId(testId);
  await input.fill(String(value));
  await input.blur();
}

test.describe('Dream (WebGPU)', () => {
  test('a tiny two-octave dream streams frames, then downloads as PNG; the main thread stays free', async ({ page }) => {
    await watchLongTasks(page);
    await page.goto('/?backend=webgpu');
    await openTinyPhoto(page);
    await setNumber(page, 'octaves-input', 2);
    await setNumber(page, 'steps-input', 2);
    const before = await canvasFingerprint(page);
    const seen = new Set<string>();
    // Only the dream counts: forget the long tasks of page load and photo decoding.
    await page.evaluate(() => {
      (window as unknown as { __longTasks: number[] }).__longTasks = [];
    });
    await page.getByTestId('dream-start').click();
    const progress = page.getByTestId('dream-progress');
    // Sample the canvas while the dream runs; frames must show up before the end.
    const deadline = Date.now() + 170_000;
    let doneText = '';
    while (Date.now() < deadline) {
      const fp = await canvasFingerprint(page);
      if (fp !== before) seen.add(fp);
      const state = await page.evaluate(() => window.__dreamlift!.dream().status);
      if (state === 'done' || state === 'error') {
        doneText = state;
        break;
      }
      await page.waitForTimeout(100);
    }
    expect(doneText).toBe('done');
    await expectBackend(page, 'webgpu');
    expect(seen.size, 'distinct frames drawn while dreaming').toBeGreaterThanOrEqual(2);
    await expect(progress).toContainText(/2\s*\/\s*2/);

    const downloadPromise = page.waitForEvent('download');
    await page.getByTestId('dream-download').click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const png = Buffer.concat(chunks);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(64);
    expect(png.readUInt32BE(20)).toBe(48);

    const longest = await page.evaluate(() => Math.max(0, ...(window as unknown as { __longTasks: number[] }).__longTasks));
    expect(longest, 'longest main-thread task during the dream (ms)').toBeLessThan(50);
  });

  test('cancel stops a dream mid-way and keeps the last frame on screen', async ({ page }) => {
    await page.goto('/?backend=webgpu');
    await openTinyPhoto(page);
    await setNumber(page, 'octaves-input', 2);
    await setNumber(page, 'steps-input', 20);
    const photo = await canvasFingerprint(page);
    await page.getByTestId('dream-start').click();
    await page.waitForFunction(() => (window.__dreamlift!.dream().progress?.fraction ?? 0) > 0, undefined, { timeout: 170_000 });
    await page.getByTestId('dream-cancel').click();
    await page.waitForFunction(() => window.__dreamlift!.dream().status === 'idle', undefined, { timeout: 30_000 });
    const afterCancel = await canvasFingerprint(page);
    expect(afterCancel).not.toBe(photo);
    await expect(page.locator('#panel-dream').getByTestId('error-message')).toHaveCount(0);
    await page.waitForTimeout(1500);
    expect(await canvasFingerprint(page)).toBe(afterCancel);
    await expect(page.getByTestId('dream-start')).toBeEnabled();
  });

  test('a bad photo shows a clear error and keeps the current one', async ({ page }) => {
    await page.goto('/?backend=webgpu');
    await openTinyPhoto(page);
    const photo = await canvasFingerprint(page);
    await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(16, 16) });
    const error = page.locator('#panel-dream').getByTestId('error-message');
    await expect(error).toContainText(/too small/i);
    expect(await canvasFingerprint(page)).toBe(photo);
    await expect(page.getByTestId('photo-info')).toContainText('64');
  });
});
