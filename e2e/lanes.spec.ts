/**
 * The two worker lanes in the built app: one worker program started twice
 * (interactive: Explain + Compare; long: Dream and the rest), the MNIST model
 * fetched once for Explain and Compare together, and a crash of either lane
 * leaving the other's work running. WASM, tiny photo, few steps.
 */
import { expect, test, type Page, type Worker } from '@playwright/test';
import { drawSeven, latestExplanation, mnistDigit, openTinyPhoto, setNumber } from './helpers';

interface Started {
  url: string;
  /** The name the worker was started under (its lane), read as it starts. */
  name: Promise<string>;
}

/** Every dedicated worker the page starts. */
function recordWorkers(page: Page): Started[] {
  const workers: Started[] = [];
  page.on('worker', (worker: Worker) => workers.push({ url: worker.url(), name: worker.evaluate(() => self.name).catch(() => '?') }));
  return workers;
}

/** The lanes of the lane workers started so far, in order. */
const laneNames = async (workers: Started[]) => Promise.all(workers.filter((w) => /lane\.worker/.test(w.url)).map((w) => w.name));
const count = async (workers: Started[], lane: string) => (await laneNames(workers)).filter((n) => n === lane).length;

const dreamStatus = (page: Page) => page.evaluate(() => window.__dreamlift!.dream().status);

test('Explain and Compare share one worker and one MNIST download; Dream runs in the second lane', async ({ page }) => {
  const workers = recordWorkers(page);
  const mnistRequests: string[] = [];
  page.on('request', (r) => {
    if (/\/models\/mnist\/[^/]+$/.test(new URL(r.url()).pathname)) mnistRequests.push(new URL(r.url()).pathname);
  });
  await page.goto('/?backend=wasm');
  await drawSeven(page);
  await expect(page.getByTestId('prediction')).toHaveText('7');
  await page.getByTestId('tab-compare').click();
  await expect(page.getByTestId('compare-map-deeplift-rescale')).toContainText(/Σ/, { timeout: 90_000 });
  await expect(page.getByTestId('compare-map-gradient')).toContainText(/Σ/, { timeout: 90_000 });

  // One model.json and each shard once: Compare did not load the digit model a second time.
  const files = new Set(mnistRequests);
  expect(files.has('/models/mnist/model.json')).toBe(true);
  expect(mnistRequests.length, mnistRequests.join(', ')).toBe(files.size);
  expect(await laneNames(workers)).toEqual(['interactive']);

  await openTinyPhoto(page);
  await setNumber(page, 'octaves-input', 1);
  await setNumber(page, 'steps-input', 2);
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => window.__dreamlift!.dream().status === 'done', undefined, { timeout: 120_000 });
  expect((await laneNames(workers)).sort()).toEqual(['interactive', 'long']);
  // No worker of the old programs, and the one program shipped once.
  expect(workers.filter((w) => /(explain|compare|dream)\.worker/.test(w.url))).toEqual([]);
  expect(new Set(workers.filter((w) => /lane\.worker/.test(w.url)).map((w) => w.url)).size).toBe(1);
  const memory = await page.evaluate(() => window.__dreamlift!.memory());
  expect(memory.explain?.backend).toBe('wasm');
  expect(memory.explain?.modelLoadMs).not.toBeNull();
  expect(memory.dream?.backend).toBe('wasm');
  expect(mnistRequests.length).toBe(files.size); // still once
});

test('a crash of the interactive lane leaves a running dream alone, and a crash of the long lane leaves Explain alone', async ({ page }) => {
  const workers = recordWorkers(page);
  await page.goto('/?backend=wasm');
  await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(7, 0));
  await latestExplanation(page, 7);
  await openTinyPhoto(page);
  await setNumber(page, 'octaves-input', 2);
  await setNumber(page, 'steps-input', 12);
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => (window.__dreamlift!.dream().progress?.fraction ?? 0) > 0, undefined, { timeout: 120_000 });
  const interactiveStarts = await count(workers, 'interactive');
  const longStarts = await count(workers, 'long');
  expect([interactiveStarts, longStarts]).toEqual([1, 1]);

  await page.evaluate(() => window.__dreamlift!.faults.killWorker('explain', 'terminate'));
  await page.waitForFunction(() => /stopped unexpectedly/.test(window.__dreamlift!.explain().error ?? ''), undefined, { timeout: 10_000 });
  // The dream goes on to its end on its own worker.
  await page.waitForFunction(() => ['done', 'error', 'idle'].includes(window.__dreamlift!.dream().status), undefined, { timeout: 120_000 });
  expect(await dreamStatus(page)).toBe('done');
  await expect(page.locator('#panel-dream').getByTestId('error-message')).toHaveCount(0);
  expect(await count(workers, 'long')).toBe(1); // the dream's worker was never replaced

  // The other way round: the long lane dies mid-dream; Explain answers on the interactive lane.
  await setNumber(page, 'steps-input', 30);
  await page.getByTestId('dream-start').click();
  await page.waitForFunction(() => (window.__dreamlift!.dream().progress?.fraction ?? 0) > 0, undefined, { timeout: 120_000 });
  await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(3, 0));
  await latestExplanation(page, 3); // a fresh interactive worker after the first crash
  expect(await count(workers, 'interactive')).toBe(2);
  await page.evaluate(() => window.__dreamlift!.faults.killWorker('dream', 'terminate'));
  await expect(page.locator('#panel-dream').getByTestId('error-message')).toContainText(/worker stopped unexpectedly/i);
  await page.evaluate((d) => window.__dreamlift!.setDigit(d), mnistDigit(1, 0));
  const r = await latestExplanation(page, 1);
  expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(r.delta)));
  expect(await count(workers, 'interactive')).toBe(2); // Explain kept its worker: none was started for it
  expect(await page.evaluate(() => window.__dreamlift!.explain().error)).toBeNull();
});
