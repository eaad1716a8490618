import { expect, type Page } from '@playwright/test';
import { tinyPhotoPng } from './test-data';

export { digitPng, mnistDigit, tinyPhotoPng } from './test-data';

/** Draws a "7" with mouse strokes on the drawing canvas. */
export async function drawSeven(page: Page): Promise<void> {
  const box = await page.getByTestId('draw-canvas').boundingBox();
  if (!box) throw new Error('draw-canvas not visible');
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(0.25, 0.2));
  await page.mouse.down();
  for (const [x, y] of [[0.5, 0.2], [0.75, 0.2], [0.65, 0.45], [0.55, 0.65], [0.48, 0.85]] as const) {
    await page.mouse.move(...at(x, y), { steps: 8 });
  }
  await page.mouse.up();
}

/** Pixel statistics of a canvas (or the first canvas inside the element), read through a 2D copy. */
export async function canvasStats(page: Page, testId: string): Promise<{ lit: number; colours: number }> {
  return page.getByTestId(testId).first().evaluate((el) => {
    const canvas = el instanceof HTMLCanvasElement ? el : el.querySelector('canvas');
    if (!canvas) throw new Error('no canvas');
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
    let lit = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i]! + data[i + 1]! + data[i + 2]! > 30) lit++;
      colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    }
    return { lit, colours: colours.size };
  });
}

/** Number of canvas pixels that are not (near) black. */
export async function litPixels(page: Page, testId: string): Promise<number> {
  return (await canvasStats(page, testId)).lit;
}

/** Parses "Σ C = 15.9122 · Δt = 15.9122" into its two numbers. */
export async function readSumAndDelta(page: Page): Promise<{ sum: number; delta: number }> {
  const text = (await page.getByTestId('sum-readout').textContent()) ?? '';
  const numbers = text.replace(/−/g, '-').match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)?.map(Number) ?? [];
  expect(numbers.length, `sum-readout text: ${text}`).toBeGreaterThanOrEqual(2);
  return { sum: numbers[0]!, delta: numbers[1]! };
}

export async function expectBackend(page: Page, name: string): Promise<void> {
  await expect(page.getByTestId('backend-badge')).toHaveText(name, { timeout: 90_000 });
}

/** Waits for the explanation of the current input to arrive and returns it (plain data). */
export async function latestExplanation(page: Page, predicted?: number) {
  await page.waitForFunction(
    (p) => {
      const s = window.__dreamlift?.explain();
      return !!s?.result && s.status === 'idle' && (p === undefined || s.result.predicted === p);
    },
    predicted,
    { timeout: 90_000 },
  );
  return page.evaluate(() => {
    const r = window.__dreamlift!.explain().result!;
    return { attributions: Array.from(r.attributions), delta: r.delta, sum: r.sum, predicted: r.predicted, target: r.target, logits: r.logits };
  });
}

/** A fingerprint of what the dream canvas shows now. */
export function canvasFingerprint(page: Page): Promise<string> {
  return page.getByTestId('dream-canvas').evaluate((el) => {
    const url = (el as HTMLCanvasElement).toDataURL('image/png');
    let h = 0;
    for (let i = 0; i < url.length; i++) h = (h * 31 + url.charCodeAt(i)) | 0;
    return `${url.length}:${h}`;
  });
}

/** Sets octaves and steps, starts a dream and waits for it to finish; expects it done. */
export async function dreamToEnd(page: Page, octaves: number, steps: number): Promise<void> {
  await page.getByTestId('octaves-input').fill(String(octaves));
  await page.getByTestId('steps-input').fill(String(steps));
  await page.getByTestId('steps-input').blur();
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => ['done', 'error'].includes(window.__dreamlift!.dream().status), undefined, { timeout: 120_000 });
  expect(await page.evaluate(() => window.__dreamlift!.dream().status)).toBe('done');
}

/** Records the main thread's long tasks (ms) from the start of the page, in window.__longTasks. */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The longest main-thread task since watchLongTasks() or the last reset (ms); `reset` forgets them. */
export function longestTask(page: Page, reset = false): Promise<number> {
  return page.evaluate((r) => {
    const w = window as unknown as { __longTasks: number[] };
    const longest = Math.max(0, ...w.__longTasks);
    if (r) w.__longTasks = [];
    return longest;
  }, reset);
}

/** Opens a tiny generated photo (width×height) in the Dream panel at the 64 px working size. */
export async function openTinyPhoto(page: Page, width = 64, height = 48): Promise<void> {
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(width, height) });
  await expect(page.getByTestId('photo-info')).toContainText(`${width}×${height}`);
}

/** Types a number into a number input and leaves it, so the change is committed. */
export async function setNumber(page: Page, testId: string, value: number): Promise<void> {
  const input = page.getByTestId(testId);
  await input.fill(String(value));
  await input.blur();
}
