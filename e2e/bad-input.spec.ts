/**
 * Bad (and merely unusual) input, end to end, on both panels: every file is
 * made in code (fixtures/bad-files.ts). A bad file shows a clear message and
 * loses nothing (the drawing and its explanation; the photo and its canvas);
 * an unusual but valid one is used correctly (first GIF frame, EXIF rotation,
 * CMYK colours, alpha composited). The README ("Bad input, faults and privacy") tabulates the outcomes.
 */
import { expect, test, type Page } from '@playwright/test';
import {
  flatCmykJpeg,
  heicStub,
  hugeBlackPng,
  rgbaPng,
  rgbJpeg,
  svgWithScript,
  tiffStub,
  truncated,
  twoFrameGif,
  withExifOrientation,
} from './fixtures/bad-files';
import { canvasFingerprint, drawSeven, dreamToEnd, latestExplanation, litPixels, mnistDigit, tinyPhotoPng } from './helpers';

interface BadFile {
  label: string;
  name: string;
  mimeType: string;
  make: () => Buffer;
  /** What the Explain panel says. */
  explain: RegExp;
  /** What the Dream panel says. */
  dream: RegExp;
}

const notAnImage = /not an image this app can read/i;
const damaged = /could not be decoded: it is damaged or truncated/i;

const BAD_FILES: BadFile[] = [
  { label: 'a text file renamed .png', name: 'notes.png', mimeType: 'image/png', make: () => Buffer.from('Shopping list:\n- milk\n- eggs\n'), explain: notAnImage, dream: notAnImage },
  { label: 'a truncated PNG', name: 'cut.png', mimeType: 'image/png', make: () => truncated(tinyPhotoPng(64, 48)), explain: damaged, dream: damaged },
  { label: 'a truncated JPEG', name: 'cut.jpg', mimeType: 'image/jpeg', make: () => truncated(rgbJpeg(64, 48, (x, y) => [x * 4, y * 5, 90])), explain: damaged, dream: damaged },
  { label: 'zero bytes', name: 'empty.png', mimeType: 'image/png', make: () => Buffer.alloc(0), explain: /empty \(0 bytes\)/i, dream: /empty \(0 bytes\)/i },
  { label: 'a 1×5000 image', name: 'thin.png', mimeType: 'image/png', make: () => rgbaPng(1, 5000, () => [255, 255, 255, 255]), explain: /too small \(1×5000 pixels\)/i, dream: /too small \(1×5000 pixels\)/i },
  { label: 'a 60×5000 image', name: 'thin2.png', mimeType: 'image/png', make: () => rgbaPng(60, 5000, () => [255, 255, 255, 255]), explain: /too thin \(60×5000 pixels\)/i, dream: /too thin \(60×5000 pixels\)/i },
  { label: 'a 30000×8 image', name: 'wide.png', mimeType: 'image/png', make: () => hugeBlackPng(30_000, 8), explain: /too large to open \(30000×8 pixels\)/i, dream: /too large to open \(30000×8 pixels\)/i },
  { label: 'a HEIC photo', name: 'photo.heic', mimeType: 'image/heic', make: heicStub, explain: /HEIC\/HEIF images cannot be decoded/i, dream: /HEIC\/HEIF images cannot be decoded/i },
  { label: 'a TIFF', name: 'scan.tiff', mimeType: 'image/tiff', make: tiffStub, explain: notAnImage, dream: notAnImage },
];

/** RGBA of the dream canvas at fractional position (fx, fy). */
function canvasPixel(page: Page, fx: number, fy: number): Promise<number[]> {
  return page.getByTestId('dream-canvas').evaluate(
    (el, [x, y]) => {
      const canvas = el as HTMLCanvasElement;
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(canvas, 0, 0);
      return Array.from(ctx.getImageData(Math.floor(x! * canvas.width), Math.floor(y! * canvas.height), 1, 1).data);
    },
    [fx, fy],
  );
}


const near = (actual: number[], expected: number[], tolerance = 12) => expected.every((v, i) => Math.abs(actual[i]! - v) <= tolerance);

/** Fails the test on any dialog (an SVG script that ran would open one) and records whether the SVG's script set its global. */
async function guardAgainstScripts(page: Page): Promise<string[]> {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

async function upload(page: Page, testId: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  await page.getByTestId(testId).setInputFiles(file);
}

async function dismissError(page: Page, panel: string) {
  const error = page.locator(panel).getByTestId('error-message');
  if ((await error.count()) > 0) await page.locator(panel).getByRole('button', { name: 'Dismiss the message' }).click();
  await expect(error).toHaveCount(0);
}

/** Digit 7 as a JPEG stored rotated 90° counter-clockwise, optionally tagged Orientation 6 (display rotated 90° clockwise). */
function rotatedSevenJpeg(tagged: boolean): Buffer {
  const d = mnistDigit(7, 0);
  const scale = 4;
  const side = 28 * scale;
  const upright = (x: number, y: number) => d[Math.floor(y / scale) * 28 + Math.floor(x / scale)]!;
  // Shown rotated 90° CW, stored (x, y) lands at display (side − 1 − y, x).
  const file = rgbJpeg(side, side, (x, y) => {
    const v = Math.round(255 * upright(side - 1 - y, x));
    return [v, v, v];
  }, 95);
  return tagged ? withExifOrientation(file, 6) : file;
}

test.describe('Bad input: Explain (digits)', () => {
  test('every bad file gets a clear message; the drawing and its explanation stay', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await drawSeven(page);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    const before = await latestExplanation(page, 7);
    const ink = await litPixels(page, 'draw-canvas');
    const error = page.locator('#panel-explain').getByTestId('error-message');
    for (const bad of BAD_FILES) {
      await dismissError(page, '#panel-explain');
      await upload(page, 'explain-upload', { name: bad.name, mimeType: bad.mimeType, buffer: bad.make() });
      await expect(error, bad.label).toContainText(bad.explain);
      expect(await litPixels(page, 'draw-canvas'), `${bad.label}: drawing kept`).toBe(ink);
      await expect(page.getByTestId('prediction')).toHaveText('7');
    }
    const after = await page.evaluate(() => window.__dreamlift!.explain().result!.attributions.length);
    expect(after).toBe(before.attributions.length);
    expect(await page.evaluate(() => window.__dreamlift!.explain().result!.predicted)).toBe(7);
  });

  test('a 10000×10000 single-colour PNG opens (scaled down) and is refused as blank, keeping the drawing', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await drawSeven(page);
    await expect(page.getByTestId('prediction')).toHaveText('7');
    const ink = await litPixels(page, 'draw-canvas');
    await upload(page, 'explain-upload', { name: 'huge.png', mimeType: 'image/png', buffer: hugeBlackPng(10_000, 10_000) });
    await expect(page.locator('#panel-explain').getByTestId('error-message')).toContainText(/no digit in this image: it is blank/i);
    expect(await litPixels(page, 'draw-canvas')).toBe(ink);
    await expect(page.getByTestId('prediction')).toHaveText('7');
  });

  test('EXIF rotation is applied, alpha is composited (light ink on black, dark ink on white), an SVG script never runs', async ({ page }) => {
    const dialogs = await guardAgainstScripts(page);
    await page.goto('/?backend=wasm');
    // Control: the stored (sideways) pixels alone are not read as a 7 …
    await upload(page, 'explain-upload', { name: 'sideways.jpg', mimeType: 'image/jpeg', buffer: rotatedSevenJpeg(false) });
    const sideways = await latestExplanation(page);
    expect(sideways.predicted).not.toBe(7);
    // … but with Orientation 6 the working image is upright.
    await upload(page, 'explain-upload', { name: 'rotated.jpg', mimeType: 'image/jpeg', buffer: rotatedSevenJpeg(true) });
    await latestExplanation(page, 7);

    const three = mnistDigit(3, 5);
    const side = 28 * 4;
    const at = (x: number, y: number) => three[Math.floor(y / 4) * 28 + Math.floor(x / 4)]!;
    // Light ink on a transparent background: composited on black.
    await upload(page, 'explain-upload', { name: 'light.png', mimeType: 'image/png', buffer: rgbaPng(side, side, (x, y) => [255, 255, 255, Math.round(255 * at(x, y))]) });
    await latestExplanation(page, 3);
    await page.getByTestId('draw-clear').click();
    // Dark ink on a transparent background: composited on white, then read as dark on light (inverted).
    await upload(page, 'explain-upload', { name: 'dark.png', mimeType: 'image/png', buffer: rgbaPng(side, side, (x, y) => [0, 0, 0, Math.round(255 * at(x, y))]) });
    await latestExplanation(page, 3);

    await upload(page, 'explain-upload', { name: 'evil.svg', mimeType: 'image/svg+xml', buffer: svgWithScript() });
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => (window as unknown as { __svgScriptRan?: boolean }).__svgScriptRan)).toBeUndefined();
    expect(dialogs).toEqual([]);
    // The panel still works after all of them.
    await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(7, 1));
    await latestExplanation(page, 7);
  });
});

test.describe('Bad input: Dream (photos)', () => {
  test('every bad file gets a clear message; the photo and canvas stay', async ({ page }) => {
    await page.goto('/?backend=wasm');
    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('64');
    await upload(page, 'dream-upload', { name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
    await expect(page.getByTestId('photo-info')).toContainText('tiny.png 64×48');
    const photo = await canvasFingerprint(page);
    const error = page.locator('#panel-dream').getByTestId('error-message');
    for (const bad of BAD_FILES) {
      await dismissError(page, '#panel-dream');
      await upload(page, 'dream-upload', { name: bad.name, mimeType: bad.mimeType, buffer: bad.make() });
      await expect(error, bad.label).toContainText(bad.dream);
      await expect(page.getByTestId('photo-info')).toContainText('tiny.png 64×48');
      expect(await canvasFingerprint(page), `${bad.label}: canvas kept`).toBe(photo);
    }
  });

  test('huge, animated, CMYK, transparent, rotated and scripted files are opened correctly', async ({ page }) => {
    const dialogs = await guardAgainstScripts(page);
    await page.goto('/?backend=wasm');
    await page.getByTestId('tab-dream').click();
    await page.getByTestId('max-side-select').selectOption('64');
    const info = page.getByTestId('photo-info');
    const error = page.locator('#panel-dream').getByTestId('error-message');

    // 10000×10000: decoded and scaled down to the working size, with a notice.
    await upload(page, 'dream-upload', { name: 'huge.png', mimeType: 'image/png', buffer: hugeBlackPng(10_000, 10_000) });
    await expect(info).toContainText('Scaled from 10000×10000 to 64×64', { timeout: 60_000 });
    expect(near(await canvasPixel(page, 0.5, 0.5), [0, 0, 0, 255])).toBe(true);

    // Animated GIF: the first frame (red), not the second (blue).
    await upload(page, 'dream-upload', { name: 'anim.gif', mimeType: 'image/gif', buffer: twoFrameGif(64, 48, [220, 30, 30], [30, 30, 220]) });
    await expect(info).toContainText('anim.gif 64×48');
    expect(near(await canvasPixel(page, 0.5, 0.5), [220, 30, 30, 255])).toBe(true);

    // CMYK (Adobe, inverted) JPEG of pure red ink-free magenta+yellow: Chromium decodes it to red.
    await upload(page, 'dream-upload', { name: 'cmyk.jpg', mimeType: 'image/jpeg', buffer: flatCmykJpeg(64, 64, [255, 0, 0, 255]) });
    await expect(info).toContainText('cmyk.jpg 64×64');
    expect(near(await canvasPixel(page, 0.5, 0.5), [255, 0, 0, 255])).toBe(true);

    // Transparent left half: composited on white.
    await upload(page, 'dream-upload', { name: 'alpha.png', mimeType: 'image/png', buffer: rgbaPng(64, 48, (x) => (x < 32 ? [0, 0, 0, 0] : [20, 40, 200, 255])) });
    await expect(info).toContainText('alpha.png 64×48');
    expect(near(await canvasPixel(page, 0.2, 0.5), [255, 255, 255, 255])).toBe(true);
    expect(near(await canvasPixel(page, 0.8, 0.5), [20, 40, 200, 255])).toBe(true);

    // EXIF Orientation 6: stored 96×48 (left red, right blue) shows as 48×96 with red on top.
    await page.getByTestId('max-side-select').selectOption('128');
    await upload(page, 'dream-upload', {
      name: 'rotated.jpg',
      mimeType: 'image/jpeg',
      buffer: withExifOrientation(rgbJpeg(96, 48, (x) => (x < 48 ? [230, 20, 20] : [20, 20, 230])), 6),
    });
    await expect(info).toContainText('rotated.jpg 48×96');
    expect(near(await canvasPixel(page, 0.5, 0.2), [230, 20, 20, 255], 25)).toBe(true);
    expect(near(await canvasPixel(page, 0.5, 0.8), [20, 20, 230, 255], 25)).toBe(true);

    // SVG with a script: rasterised as an image; the script never runs.
    await upload(page, 'dream-upload', { name: 'evil.svg', mimeType: 'image/svg+xml', buffer: svgWithScript(64, 64) });
    await expect(info).toContainText('evil.svg 64×64');
    expect(near(await canvasPixel(page, 0.05, 0.05), [0x33, 0xaa, 0x77, 255])).toBe(true);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as unknown as { __svgScriptRan?: boolean }).__svgScriptRan)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await expect(error).toHaveCount(0);

    // The last of them dreams like any photo.
    await dreamToEnd(page, 1, 2);
  });
});
