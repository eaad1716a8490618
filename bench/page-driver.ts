/**
 * Drives the built app in a Playwright page for the browser benchmark, the
 * soak test and its short e2e version: long-task recording, readiness,
 * strokes on the drawing canvas, a tiny photo for the Dream panel, and the
 * memory readings (each worker's tf.memory() through the debug handle, the
 * page's JS heap through the Chrome DevTools Protocol after a forced GC).
 * Everything goes through stable test ids and `window.__dreamlift`.
 */
import type { Page } from '@playwright/test';
import type { WorkerMemory } from '../src/workers/worker-stats';

import { tinyPhotoPng as photoPng } from '../e2e/test-data';

export { mnistDigit } from '../e2e/test-data';

/** A main-thread long task: start (ms since navigation start) and duration (ms). */
export interface LongTask {
  start: number;
  duration: number;
}

interface BenchWindow {
  __longTasks: LongTask[];
}

/** Records the page's long tasks from navigation start on (call before goto). */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as BenchWindow;
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** Long tasks that started at or after `since` (ms since navigation start). */
export function longTasksSince(page: Page, since = 0): Promise<LongTask[]> {
  return page.evaluate((t) => (window as unknown as BenchWindow).__longTasks.filter((x) => x.start >= t), since);
}

/** performance.now() in the page (ms since navigation start). */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

export const BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Waits until the app is usable: the drawing canvas is visible and the backend
 * badge names a backend. Returns that moment in page time (ms since navigation start).
 */
export async function waitForAppReady(page: Page, timeout = 120_000): Promise<number> {
  const handle = await page.waitForFunction(
    (names) => {
      const badge = document.querySelector('[data-testid="backend-badge"]');
      const canvas = document.querySelector('[data-testid="draw-canvas"]') as HTMLCanvasElement | null;
      const ok = !!canvas && canvas.getBoundingClientRect().width > 0 && names.includes((badge?.textContent ?? '').trim());
      return ok ? performance.now() : 0;
    },
    BACKEND_NAMES,
    { timeout, polling: 'raf' },
  );
  return (await handle.jsonValue()) as number;
}

/** A simple seeded generator (mulberry32) so soak runs repeat. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mouse stroke through `points` (fractions of the drawing canvas). */
export async function stroke(page: Page, points: readonly (readonly [number, number])[], stepsPerSegment = 6): Promise<void> {
  const box = await page.getByTestId('draw-canvas').boundingBox();
  if (!box) throw new Error('draw-canvas is not visible');
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  const [first, ...rest] = points;
  if (!first) return;
  await page.mouse.move(...at(first[0], first[1]));
  await page.mouse.down();
  for (const [x, y] of rest) await page.mouse.move(...at(x, y), { steps: stepsPerSegment });
  await page.mouse.up();
}

/** A random stroke of 3–5 points inside the canvas's middle. */
export function randomStroke(random: () => number): [number, number][] {
  const n = 3 + Math.floor(random() * 3);
  return Array.from({ length: n }, () => [0.2 + 0.6 * random(), 0.15 + 0.7 * random()] as [number, number]);
}

/** Waits until the Explain store has a result and is idle. */
export async function waitForExplanation(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const s = window.__dreamlift?.explain();
      return !!s && !!s.result && s.status === 'idle';
    },
    undefined,
    { timeout },
  );
}

/** Opens the Dream tab with a `width`×`height` photo at max side `maxSide`, `octaves` octaves of `steps` steps. */
export async function prepareDream(page: Page, options: { width: number; height: number; maxSide: number; octaves: number; steps: number }): Promise<void> {
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption(String(options.maxSide));
  await page.getByTestId('dream-upload').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: photoPng(options.width, options.height) });
  await page.waitForFunction((w) => window.__dreamlift?.dream().photo?.width === w, Math.min(options.width, options.maxSide), { timeout: 60_000 });
  for (const [testId, value] of [['octaves-input', options.octaves], ['steps-input', options.steps]] as const) {
    const input = page.getByTestId(testId);
    await input.fill(String(value));
    await input.blur();
  }
  await page.waitForFunction(
    (o) => {
      const s = window.__dreamlift?.dream().settings;
      return s?.octaves === o.octaves && s.steps === o.steps;
    },
    options,
  );
}

/** Waits until the Dream panel's model is loaded in its worker. */
export async function waitForDreamModel(page: Page, timeout = 180_000): Promise<void> {
  await page.waitForFunction(() => window.__dreamlift?.dream().model === 'ready', undefined, { timeout });
}

/** Each worker's tf.memory() and model load time (null where no worker runs). */
export function workerMemory(page: Page): Promise<{ explain: WorkerMemory | null; dream: WorkerMemory | null }> {
  return page.evaluate(() => window.__dreamlift!.memory());
}

/** The page's JS heap in use (bytes) after a forced garbage collection, through the DevTools protocol. */
export async function jsHeapUsed(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('HeapProfiler.collectGarbage');
    const usage = (await session.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    return usage.usedSize;
  } finally {
    await session.detach();
  }
}
