/**
 * Long-use soak of the running app (Playwright page already on the app, WASM
 * backend): many explanations (setDigit, mouse strokes, rule / target /
 * reference changes, clears, often superseded before they finish) and tiny
 * dreams (some cancelled after a frame or two, some run to the end), for a
 * bounded time. Memory is read when both panels are idle: each worker's
 * tf.memory() (numTensors, numBytes) and the page's JS heap after a forced GC,
 * after a warm-up (models loaded, one explanation, one dream) and at the end.
 * Growth beyond SOAK_BOUNDS fails the run.
 */
import type { Page } from '@playwright/test';
import type { WorkerMemory } from '../src/workers/worker-stats';
import { jsHeapUsed, mnistDigit, prepareDream, randomStroke, rng, stroke, waitForDreamModel, waitForExplanation, workerMemory } from './page-driver';

/** Allowed growth from the warmed-up start to the end of a soak. */
export const SOAK_BOUNDS = {
  /** Live tensors per worker: none may be left behind (a leaked tensor per run would show as dozens). */
  workerTensors: 0,
  /** Backend bytes per worker. */
  workerBytes: 0,
  /** Main-thread JS heap after GC (bytes): room for JIT and allocator noise, far below a per-run leak. */
  jsHeapBytes: 8 * 2 ** 20,
} as const;

export interface SoakSnapshot {
  atMs: number;
  explain: WorkerMemory | null;
  dream: WorkerMemory | null;
  jsHeapBytes: number;
}

export interface SoakReport {
  durationMs: number;
  counts: Record<string, number>;
  start: SoakSnapshot;
  end: SoakSnapshot;
  /** Snapshots taken along the way (each at an idle moment), to see a trend. */
  trend: SoakSnapshot[];
  growth: { explainTensors: number; explainBytes: number; dreamTensors: number; dreamBytes: number; jsHeapBytes: number };
  bounds: typeof SOAK_BOUNDS;
  /** Errors the app showed during the soak (none expected). */
  errors: string[];
  failures: string[];
}

export interface SoakOptions {
  durationMs: number;
  seed?: number;
  /** Take a trend snapshot every this many ms. */
  snapshotEveryMs?: number;
  log?: (line: string) => void;
}

async function waitIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const d = window.__dreamlift;
      if (!d) return false;
      const e = d.explain();
      const dream = d.dream().status;
      // The filter gallery computes thumbnails in the Dream worker while its panel is shown.
      const gallery = d.gallery().computing;
      return e.status === 'idle' && dream !== 'running' && dream !== 'loading-model' && gallery === null;
    },
    undefined,
    { timeout: 180_000, polling: 100 },
  );
  // A cancelled dream's worker finishes its current step after the UI went idle; give it time.
  await page.waitForTimeout(1500);
}

async function snapshot(page: Page, t0: number): Promise<SoakSnapshot> {
  await waitIdle(page);
  const mem = await workerMemory(page);
  return { atMs: Date.now() - t0, explain: mem.explain, dream: mem.dream, jsHeapBytes: await jsHeapUsed(page) };
}

async function appError(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const d = window.__dreamlift!;
    return d.explain().error ?? d.dream().error ?? null;
  });
}

/** Runs the soak; the page must show the app (any tab) with `window.__dreamlift` installed. */
export async function soak(page: Page, options: SoakOptions): Promise<SoakReport> {
  const random = rng(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const log = options.log ?? (() => undefined);
  const counts: Record<string, number> = {
    setDigit: 0, strokes: 0, clears: 0, ruleChanges: 0, targetChanges: 0, referenceChanges: 0,
    explanationsAwaited: 0, dreamsStarted: 0, dreamsCancelled: 0, dreamsCompleted: 0,
  };
  const errors: string[] = [];
  const t0 = Date.now();

  // ---- Warm-up: models loaded, every path taken once ----
  await page.getByTestId('tab-explain').click();
  await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(4));
  await waitForExplanation(page);
  await prepareDream(page, { width: 64, height: 48, maxSide: 64, octaves: 2, steps: 2 });
  await waitForDreamModel(page);
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => window.__dreamlift?.dream().status === 'done', undefined, { timeout: 180_000 });
  await page.getByTestId('tab-explain').click();
  const start = await snapshot(page, t0);
  log(`start: ${JSON.stringify(start)}`);

  const trend: SoakSnapshot[] = [];
  const snapshotEvery = options.snapshotEveryMs ?? 60_000;
  let nextSnapshot = Date.now() + snapshotEvery;
  const soakStart = Date.now();
  let tab: 'explain' | 'dream' = 'explain';
  const goTab = async (next: 'explain' | 'dream') => {
    if (tab !== next) await page.getByTestId(`tab-${next}`).click();
    tab = next;
  };

  while (Date.now() - soakStart < options.durationMs) {
    const r = random();
    if (r < 0.55) {
      await goTab('explain');
      const action = pick(['digit', 'digit', 'stroke', 'stroke', 'rule', 'target', 'reference', 'clear'] as const);
      if (action === 'digit') {
        await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(Math.floor(random() * 10), Math.floor(random() * 20)));
        counts.setDigit!++;
      } else if (action === 'stroke') {
        await stroke(page, randomStroke(random), 4);
        counts.strokes!++;
      } else if (action === 'rule') {
        await page.getByTestId('rule-select').selectOption(pick(['rescale', 'revealcancel']));
        counts.ruleChanges!++;
      } else if (action === 'target') {
        await page.getByTestId('target-select').selectOption(pick(['', '0', '3', '7', '9']));
        counts.targetChanges!++;
      } else if (action === 'reference') {
        await page.getByTestId('reference-select').selectOption(pick(['black', 'grey', 'blurred']));
        counts.referenceChanges!++;
      } else {
        await page.getByTestId('draw-clear').click();
        counts.clears!++;
      }
      // Often the next change supersedes a running explanation; sometimes wait for the result.
      if (random() < 0.3) {
        await page.waitForFunction(() => window.__dreamlift?.explain().status === 'idle', undefined, { timeout: 120_000 });
        counts.explanationsAwaited!++;
      } else {
        await page.waitForTimeout(Math.floor(random() * 120));
      }
    } else {
      await goTab('dream');
      await page.waitForFunction(() => !['running', 'loading-model'].includes(window.__dreamlift!.dream().status), undefined, { timeout: 120_000 });
      await page.getByTestId('dream-start').click();
      counts.dreamsStarted!++;
      if (random() < 0.6) {
        // Cancel after 0–2 frames.
        const frames = Math.floor(random() * 3);
        await page.waitForFunction(
          (n) => {
            const s = window.__dreamlift!.dream();
            const done = s.progress ? s.progress.octave * s.progress.steps + s.progress.step : 0;
            return done >= n || s.status === 'done' || s.status === 'error';
          },
          frames,
          { timeout: 120_000, polling: 50 },
        );
        // Checked and clicked in one go in the page: the run may end between a check here and a click.
        const cancelled = await page.evaluate(() => {
          const button = document.querySelector('[data-testid="dream-cancel"]') as HTMLButtonElement | null;
          if (!button || button.disabled) return false;
          button.click();
          return true;
        });
        if (cancelled) counts.dreamsCancelled!++;
        else counts.dreamsCompleted!++;
      } else {
        await page.waitForFunction(() => ['done', 'error', 'idle'].includes(window.__dreamlift!.dream().status), undefined, { timeout: 180_000 });
        counts.dreamsCompleted!++;
      }
    }
    const error = await appError(page);
    if (error) {
      errors.push(error);
      log(`app error: ${error}`);
      await page.evaluate(() => window.__dreamlift!.dream().dismissError());
    }
    if (Date.now() >= nextSnapshot) {
      const s = await snapshot(page, t0);
      trend.push(s);
      log(`snapshot: ${JSON.stringify(s)}`);
      nextSnapshot = Date.now() + snapshotEvery;
    }
  }

  // At rest for the last snapshot, as for the first: on the Explain tab (the gallery stops when hidden).
  await page.getByTestId('tab-explain').click();
  const end = await snapshot(page, t0);
  log(`end: ${JSON.stringify(end)}`);
  const growth = {
    explainTensors: (end.explain?.numTensors ?? 0) - (start.explain?.numTensors ?? 0),
    explainBytes: (end.explain?.numBytes ?? 0) - (start.explain?.numBytes ?? 0),
    dreamTensors: (end.dream?.numTensors ?? 0) - (start.dream?.numTensors ?? 0),
    dreamBytes: (end.dream?.numBytes ?? 0) - (start.dream?.numBytes ?? 0),
    jsHeapBytes: end.jsHeapBytes - start.jsHeapBytes,
  };
  const failures: string[] = [];
  if (!start.explain || !end.explain || !start.dream || !end.dream) failures.push('a worker did not report its memory');
  if (growth.explainTensors > SOAK_BOUNDS.workerTensors) failures.push(`Explain worker tensors grew by ${growth.explainTensors}`);
  if (growth.explainBytes > SOAK_BOUNDS.workerBytes) failures.push(`Explain worker bytes grew by ${growth.explainBytes}`);
  if (growth.dreamTensors > SOAK_BOUNDS.workerTensors) failures.push(`Dream worker tensors grew by ${growth.dreamTensors}`);
  if (growth.dreamBytes > SOAK_BOUNDS.workerBytes) failures.push(`Dream worker bytes grew by ${growth.dreamBytes}`);
  if (growth.jsHeapBytes > SOAK_BOUNDS.jsHeapBytes) failures.push(`JS heap grew by ${(growth.jsHeapBytes / 2 ** 20).toFixed(1)} MiB`);
  if (errors.length > 0) failures.push(`the app showed ${errors.length} error(s): ${errors[0]}`);
  return { durationMs: Date.now() - soakStart, counts, start, end, trend, growth, bounds: SOAK_BOUNDS, errors, failures };
}
