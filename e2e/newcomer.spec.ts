import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectBackend, tinyPhotoPng } from './helpers';

/**
 * What a newcomer meets on the Dream panel (issue 12): Start, the progress and
 * the canvas on screen together on a desktop and a phone; the estimate before
 * Start; keyboard focus and Escape; the original-size download; the notice for
 * a forced slow backend. WASM unless stated; images tiny.
 */

const SIZES = [
  { name: 'desktop 1400×900', width: 1400, height: 900 },
  { name: 'phone 390×844', width: 390, height: 844 },
] as const;

async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const view = page.viewportSize()!;
  return !!box && box.y >= 0 && box.x >= 0 && box.y + box.height <= view.height && box.x + box.width <= view.width + 1;
}

async function openTinyPhoto(page: Page, width = 64, height = 48) {
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(width, height) });
  await expect(page.getByTestId('photo-info')).toContainText('64');
}

async function setNumber(page: Page, testId: string, value: number) {
  await page.getByTestId(testId).fill(String(value));
  await page.getByTestId(testId).blur();
}

for (const size of SIZES) {
  test(`${size.name}: Start, the progress and the canvas are on screen together, before and while dreaming`, async ({ page }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto('/?backend=wasm');
    await page.getByTestId('tab-dream').click();
    await page.getByTestId('dream-sample-chelsea').click();
    await expect(page.getByTestId('photo-info')).toContainText('Chelsea');
    for (const id of ['dream-start', 'dream-progress', 'dream-canvas', 'dream-estimate']) {
      expect(await inViewport(page, page.getByTestId(id)), `${id} inside the viewport`).toBe(true);
    }
    // While running (pressed from the keyboard after scrolling to the settings), they are still in view.
    await page.getByTestId('steps-input').scrollIntoViewIfNeeded();
    await setNumber(page, 'octaves-input', 1);
    await setNumber(page, 'steps-input', 3);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByTestId('dream-start').click();
    await page.waitForFunction(() => window.__dreamlift!.dream().status === 'running', undefined, { timeout: 90_000 });
    for (const id of ['dream-cancel', 'dream-progress', 'dream-canvas']) {
      expect(await inViewport(page, page.getByTestId(id)), `${id} inside the viewport while running`).toBe(true);
    }
    await page.waitForFunction(() => window.__dreamlift!.dream().status === 'done', undefined, { timeout: 170_000 });
  });
}

test('before Start the estimate comes from this device; a finished dream refines it', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expectBackend(page, 'wasm');
  await openTinyPhoto(page);
  const estimate = page.getByTestId('dream-estimate');
  await expect(estimate).toContainText(/Estimated time: (about \d+ s|under a second) on wasm \(from a timed step on this device\)/, { timeout: 120_000 });
  await setNumber(page, 'octaves-input', 1);
  await setNumber(page, 'steps-input', 2);
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => window.__dreamlift!.dream().status === 'done', undefined, { timeout: 120_000 });
  await expect(estimate).toContainText('timed on this device');
});

test('the default max side on WASM is the smaller one; a choice of the user is kept', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await page.getByTestId('tab-dream').click();
  await expect(page.getByTestId('max-side-select')).toHaveValue('256', { timeout: 90_000 });
  await page.getByTestId('max-side-select').selectOption('384');
  await page.getByTestId('dream-sample-chelsea').click();
  await expect(page.getByTestId('photo-info')).toContainText('384×');
  await expect(page.getByTestId('max-side-select')).toHaveValue('384');
});

test('keyboard: Start moves focus to Cancel, Escape cancels, focus comes back to Start', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await openTinyPhoto(page);
  await setNumber(page, 'octaves-input', 2);
  await setNumber(page, 'steps-input', 40);
  await page.getByTestId('dream-start').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('dream-cancel')).toBeFocused({ timeout: 90_000 });
  await page.waitForFunction(() => (window.__dreamlift!.dream().progress?.fraction ?? 0) > 0, undefined, { timeout: 120_000 });
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.__dreamlift!.dream().status === 'idle', undefined, { timeout: 30_000 });
  await expect(page.getByTestId('dream-start')).toBeFocused();
  await expect(page.getByTestId('dream-progress')).toContainText('Stopped at');
});

test('download at the original size: the photo’s size, the dream’s detail added; the working size beside it', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: tinyPhotoPng(200, 150) });
  await expect(page.getByTestId('photo-info')).toContainText('Scaled from 200×150 to 64×48');
  await setNumber(page, 'octaves-input', 1);
  await setNumber(page, 'steps-input', 2);
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => window.__dreamlift!.dream().status === 'done', undefined, { timeout: 120_000 });
  await expect(page.getByTestId('dream-download')).toHaveText('Download 64×48');
  const full = page.getByTestId('dream-download-original');
  await expect(full).toHaveText('Download at original size 200×150');
  const downloading = page.waitForEvent('download');
  await full.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/200x150-original-size\.png$/);
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  const png = Buffer.concat(chunks);
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([200, 150]);
  // The detail was added (it differs from the photo) and the photo's full-size structure kept (small mean change).
  const meanChange = await page.evaluate(async ([dream, photo]) => {
    const pixels = async (bytes: number[]) => {
      const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
      const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    };
    const [a, b] = await Promise.all([pixels(dream), pixels(photo)]);
    let sum = 0;
    for (let i = 0; i < a.length; i++) if (i % 4 !== 3) sum += Math.abs(a[i]! - b[i]!);
    return sum / ((a.length / 4) * 3);
  }, [Array.from(png), Array.from(tinyPhotoPng(200, 150))] as const);
  expect(meanChange).toBeGreaterThan(0.5);
  expect(meanChange).toBeLessThan(60);
});

test('forcing WebGPU on a software GPU keeps a notice that says it is slow here and suggests WASM', async ({ page }) => {
  await page.goto('/?backend=webgpu');
  await expectBackend(page, 'webgpu');
  const notice = page.getByTestId('backend-notice');
  await expect(notice).toContainText(/software GPU/i);
  await expect(notice).toContainText(/wasm/i);
});

test('About says what DeepLIFT and Deep Dream do and cites the papers and the reference code', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await page.getByTestId('tab-about').click();
  const about = page.getByTestId('about-view');
  await expect(about).toBeVisible();
  await expect(about).toContainText('Shrikumar, Peyton Greenside, Anshul Kundaje (2017)');
  await expect(about).toContainText('Learning Important Features Through Propagating Activation Differences');
  await expect(about).toContainText('Mordvintsev, Christopher Olah, Mike Tyka (2015)');
  await expect(about).toContainText('Inceptionism: Going Deeper into Neural Networks');
  await expect(about.getByRole('link', { name: 'github.com/kundajelab/deeplift' })).toHaveAttribute('href', 'https://github.com/kundajelab/deeplift');
});

/**
 * Opt-in measurement (MEASURE_FIRST_DREAM=1): the first dream a newcomer runs on WASM with the
 * defaults (the cat sample), its time and a picture of it under test-results/.
 */
test('measure: the first dream with the WASM defaults', async ({ page }) => {
  test.skip(!process.env.MEASURE_FIRST_DREAM, 'measurement only');
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto('/?backend=wasm');
  await page.getByTestId('tab-dream').click();
  await expect(page.getByTestId('max-side-select')).toHaveValue('256', { timeout: 90_000 });
  await page.getByTestId('dream-sample-chelsea').click();
  await expect(page.getByTestId('photo-info')).toContainText('Chelsea');
  await page.waitForFunction(() => window.__dreamlift!.dream().model === 'ready', undefined, { timeout: 120_000 });
  await expect(page.getByTestId('dream-estimate')).toContainText('from a timed step', { timeout: 120_000 });
  const estimate = await page.getByTestId('dream-estimate').textContent();
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => window.__dreamlift!.dream().status === 'done', undefined, { timeout: 590_000 });
  const run = await page.evaluate(() => window.__dreamlift!.dream().lastRun);
  console.log(`FIRST DREAM: ${JSON.stringify(run)}; shown before Start: ${estimate}`);
  await page.getByTestId('dream-canvas').screenshot({ path: 'test-results/first-dream-wasm.png' });
  await page.screenshot({ path: 'test-results/dream-desktop-done.png' });
});

/** Opt-in (DOC_SCREENSHOTS=1): the README's screenshots of the Dream panel after a default dream, desktop and phone. */
for (const size of SIZES) {
  test(`screenshot for the docs: ${size.name}`, async ({ page }) => {
    test.skip(!process.env.DOC_SCREENSHOTS, 'screenshots only');
    test.setTimeout(300_000);
    await page.setViewportSize({ width: size.width, height: size.height });
    // The desktop shot in the dark theme, the phone in the light one.
    await page.emulateMedia({ colorScheme: size.width > 800 ? 'dark' : 'light' });
    await page.goto('/?backend=wasm');
    await page.getByTestId('tab-dream').click();
    await expect(page.getByTestId('max-side-select')).toHaveValue('256', { timeout: 90_000 });
    await page.getByTestId('dream-sample-chelsea').click();
    await page.waitForFunction(() => window.__dreamlift!.dream().model === 'ready', undefined, { timeout: 120_000 });
    await expect(page.getByTestId('dream-estimate')).toContainText('from a timed step', { timeout: 120_000 });
    await page.getByTestId('dream-start').click();
    await page.waitForFunction(() => window.__dreamlift!.dream().status === 'done', undefined, { timeout: 290_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `test-results/dream-${size.width}x${size.height}.png` });
  });
}
