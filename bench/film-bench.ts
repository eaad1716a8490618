/**
 * Film benchmark (Node, WASM backend): one zoom-film frame (zoom resample,
 * S dream steps with a frame readback and a macrotask pause after each, as
 * zoomFilm makes it) against a plain dream of the same S steps at the same
 * size (deepDream, one octave, one readback at the end). Frames and plain
 * dreams are interleaved and medians compared, so machine load affects both
 * alike; the first of each is a warm-up. Encoding is not included there (Node
 * has no WebCodecs): filmBrowserBench measures the same in Chromium with it.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DREAM_PARAMS, deepDream, type DreamParams } from '../src/engine/dream/dream';
import { zoomFilm } from '../src/engine/film/film';
import { decodeToTensor } from '../src/engine/image/node-codec';
import { fileSystemIO } from '../src/engine/models/fs-io';
import { loadDreamModel } from '../src/engine/models/dream-model';
import { useNodeBackend } from '../src/cli/node-backend';
import { median, ROOT } from './common';

export interface FilmBenchOptions {
  size?: number;
  steps?: number;
  frames?: number;
}

/** Returns the results to merge into bench/results.json. */
export async function filmBench(options: FilmBenchOptions = {}): Promise<Record<string, unknown>> {
  const size = options.size ?? 96;
  const steps = options.steps ?? 3;
  const frames = options.frames ?? 6;
  await useNodeBackend('wasm');
  const model = await loadDreamModel(fileSystemIO(path.join(ROOT, 'public/models/inception-mixed5/model.json')));
  const decoded = decodeToTensor(new Uint8Array(readFileSync(path.join(ROOT, 'public/samples/chelsea.png'))));
  const photo = tf.tidy(() => tf.image.resizeBilinear(decoded, [size, size], false, true));
  decoded.dispose();
  const dream: DreamParams = { ...DEFAULT_DREAM_PARAMS, octaves: 1, steps, frameEvery: steps };
  const before = tf.memory().numTensors;
  const frameMs: number[] = [];
  const plainMs: number[] = [];
  let leaked = 0;
  try {
    const film = zoomFilm(model, photo, { frames, motion: { zoom: 1.05, rotateDeg: 1, driftX: 0, driftY: 0 }, dream, objectives: [] });
    for (let k = 0; k < frames; k++) {
      let t0 = performance.now();
      const next = await film.next();
      if (next.done) break;
      const f = performance.now() - t0;
      t0 = performance.now();
      for await (const frame of deepDream(model, photo, { ...dream, seed: dream.seed + k })) void frame;
      const p = performance.now() - t0;
      if (k > 0) {
        frameMs.push(f);
        plainMs.push(p);
      }
    }
    await film.return(undefined);
    leaked = tf.memory().numTensors - before;
  } finally {
    photo.dispose();
    model.dispose();
  }
  const ratio = median(frameMs) / median(plainMs);
  return {
    film_frame_over_plain_dream: Number(ratio.toFixed(3)),
    film_bench: {
      backend: tf.getBackend(),
      size: `${size}x${size}`,
      steps_per_frame: steps,
      frames_timed: frameMs.length,
      frame_ms_median: Number(median(frameMs).toFixed(1)),
      plain_dream_ms_median: Number(median(plainMs).toFixed(1)),
      tensors_left: leaked,
      target: '≤ 1.2',
      note: 'film frame = zoom resample + S dream steps (readback and macrotask pause after each); plain = deepDream of S steps, one octave; interleaved, medians; encoding not included (Node has no WebCodecs)',
    },
  };
}


export interface FilmBrowserBenchOptions {
  side?: number;
  steps?: number;
  frames?: number;
  rounds?: number;
  /** Reuse the last bench build (bench/browser-session's BENCH_DIST). */
  noBuild?: boolean;
}

/**
 * Browser part (headless Chromium, WASM): the time of one film frame as the
 * page sees it (dream steps, zoom, WebCodecs encoding and muxing in the
 * worker, preview hand-off) against a plain dream of the same steps at the
 * same size, in rounds of (dream, film) so load affects both alike; and the
 * longest main-thread task while filming.
 */
export async function filmBrowserBench(options: FilmBrowserBenchOptions = {}): Promise<Record<string, unknown>> {
  const side = options.side ?? 128;
  const steps = options.steps ?? 3;
  const frames = options.frames ?? 4;
  const rounds = options.rounds ?? 3;
  const { BENCH_DIST, buildApp, launchBrowser, serveApp } = await import('./browser-session');
  const { longTasksSince, pageNow, prepareDream, waitForDreamModel, watchLongTasks } = await import('./page-driver');
  if (!options.noBuild) await buildApp(BENCH_DIST);
  const server = await serveApp(BENCH_DIST);
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await watchLongTasks(page);
    await page.goto(`${server.url}/?backend=wasm`);
    await prepareDream(page, { width: side, height: side, maxSide: side, octaves: 1, steps });
    await waitForDreamModel(page);
    for (const [testId, value] of [['film-side', side], ['film-steps', steps], ['film-octaves', 1], ['film-frames', frames]] as const) {
      await page.getByTestId(testId).fill(String(value));
      await page.getByTestId(testId).blur();
    }
    const dreamMs: number[] = [];
    const frameMs: number[] = [];
    let longest = 0;
    let codec = '';
    for (let round = 0; round < rounds; round++) {
      let t0 = await pageNow(page);
      await page.getByTestId('dream-start').click();
      await page.waitForFunction(() => window.__dreamlift!.dream().status === 'done', undefined, { timeout: 300_000, polling: 50 });
      dreamMs.push((await pageNow(page)) - t0);
      t0 = await pageNow(page);
      await page.getByTestId('film-start').click();
      await page.waitForFunction(
        (n) => (document.querySelector('[data-testid="film-progress"]')?.textContent ?? '').startsWith(`Done: ${n} frames`),
        frames,
        { timeout: 300_000, polling: 50 },
      );
      const filmMs = (await pageNow(page)) - t0;
      // The first round's film includes the zoom kernels' warm-up.
      if (round > 0 || rounds === 1) frameMs.push(filmMs / frames);
      longest = Math.max(longest, ...(await longTasksSince(page, t0)).map((t) => t.duration));
      codec = (await page.getByTestId('film-download').evaluate((a) => a.nextElementSibling?.textContent ?? '')).split(' · ').pop() ?? '';
    }
    const plain = median(dreamMs.slice(rounds > 1 ? 1 : 0));
    const ratio = median(frameMs) / plain;
    return {
      film_frame_over_plain_dream_browser: Number(ratio.toFixed(3)),
      film_browser_bench: {
        backend: 'wasm',
        size: `${side}x${side}`,
        steps_per_frame: steps,
        frames,
        rounds,
        frame_ms_median: Number(median(frameMs).toFixed(1)),
        plain_dream_ms_median: Number(plain.toFixed(1)),
        longest_main_thread_task_ms: Number(longest.toFixed(1)),
        encoder: codec,
        target: '≤ 1.2 (encoding included)',
        note: 'film frame = total film time ÷ frames (dream steps, zoom, VideoEncoder + mediabunny in the worker, preview); plain = Start → done of a one-octave dream of the same steps; first round is warm-up',
      },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  (async () => ({ ...(await filmBench()), ...(await filmBrowserBench()) }))().then((r) => console.log(JSON.stringify(r, null, 2)));
}
