/**
 * `npm run soak [-- --minutes 5] [--seed 1] [--no-build]`: long-use soak test,
 * not part of CI. Builds the app (into a private folder), serves it, and
 * drives headless Chromium on the WASM backend through many explanations and
 * tiny dreams with cancellations for the given time (bench/soak-driver.ts).
 * Prints each worker's tf.memory() and the JS heap at the start and end (and
 * every minute), writes bench/soak-results.json, and exits 1 when growth
 * exceeds the stated bounds (SOAK_BOUNDS) or the app showed an error.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from 'node:os';
import { buildApp, launchBrowser, projectRoot, serveApp } from '../bench/browser-session';
import { waitForAppReady } from '../bench/page-driver';
import { soak } from '../bench/soak-driver';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

async function main(): Promise<void> {
  const minutes = option('minutes', 5);
  const seed = option('seed', 1);
  const outDir = path.join(tmpdir(), 'dreamlift-soak-dist');
  if (!process.argv.includes('--no-build')) {
    console.log('building the app…');
    await buildApp(outDir);
  }
  const server = await serveApp(outDir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?backend=wasm`);
    await waitForAppReady(page);
    console.log(`soaking for ${minutes} min (seed ${seed}) on ${server.url}`);
    const report = await soak(page, { durationMs: minutes * 60_000, seed, log: (line) => console.log(line) });
    const out = { date: new Date().toISOString(), minutes, seed, browser: `Chromium ${browser.version()}`, backend: report.end.explain?.backend, ...report };
    writeFileSync(path.join(projectRoot, 'bench/soak-results.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify({ counts: report.counts, growth: report.growth, bounds: report.bounds, failures: report.failures }, null, 2));
    if (report.failures.length > 0) {
      console.error(`SOAK FAILED:\n- ${report.failures.join('\n- ')}`);
      process.exitCode = 1;
    } else {
      console.log('soak passed: no growth beyond the bounds');
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
