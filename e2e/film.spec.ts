/**
 * Dream films end to end (Chromium, WASM, 64-px frames, 1 step per frame):
 * a zoom film plays in the page; a stopped film keeps its frames; a clip made
 * in the page (WebCodecs + mediabunny) is dreamed frame by frame; bad clips
 * get their messages and leave the last film alone; no tensors are left.
 * The films are checked by decoding them again with mediabunny in the page.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { tinyPhotoPng, watchLongTasks } from './helpers';

const MEDIABUNNY = readFileSync(path.resolve('node_modules/mediabunny/dist/bundles/mediabunny.min.mjs'), 'utf8');

/** Serves mediabunny's browser bundle at /__mediabunny.mjs so the page can import it for fixtures and checks. */
async function serveMediabunny(page: Page) {
  await page.route('**/__mediabunny.mjs', (route) => route.fulfill({ body: MEDIABUNNY, contentType: 'text/javascript' }));
}

async function setNumber(page: Page, testId: string, value: number) {
  const input = page.getByTestId(testId);
  await input.fill(String(value));
  await input.blur();
}

async function openTinyPhoto(page: Page, query = '') {
  await page.goto(`/?backend=wasm${query}`);
  await serveMediabunny(page);
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
  await expect(page.getByTestId('photo-info')).toContainText('64');
  await setNumber(page, 'film-side', 64);
  await setNumber(page, 'film-steps', 1);
  await setNumber(page, 'film-octaves', 1);
}

/**
 * Waits for the film element to load its metadata, downloads the film through
 * film-download, and decodes that file in the page with mediabunny: frame
 * count and how much successive frames differ.
 */
async function inspectFilm(page: Page) {
  const video = page.getByTestId('film-video');
  await expect(video).toBeVisible({ timeout: 170_000 });
  const meta = await video.evaluate(async (el: HTMLVideoElement) => {
    if (el.readyState < 1) {
      await new Promise((resolve, reject) => {
        el.addEventListener('loadedmetadata', resolve, { once: true });
        el.addEventListener('error', () => reject(new Error(`the video does not load: ${el.error?.message}`)), { once: true });
      });
    }
    // WebM files may state no duration up front; seeking to the end makes the element find it.
    if (!Number.isFinite(el.duration)) {
      el.currentTime = 1e6;
      await new Promise((resolve) => el.addEventListener('durationchange', resolve, { once: true }));
    }
    return { duration: el.duration, width: el.videoWidth, height: el.videoHeight };
  });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('film-download').click()]);
  const bytes = readFileSync((await download.path())!);
  const decoded = await page.evaluate(async (data) => {
    const mb = await import(/* @vite-ignore */ `${location.origin}/__mediabunny.mjs`);
    const input = new mb.Input({ source: new mb.BufferSource(new Uint8Array(data).buffer), formats: mb.ALL_FORMATS });
    const track = await input.getPrimaryVideoTrack();
    const sink = new mb.CanvasSink(track);
    const frames: Uint8ClampedArray[] = [];
    for await (const w of sink.canvases()) frames.push((w.canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, w.canvas.width, w.canvas.height).data);
    const diffs = frames.slice(1).map((f, i) => f.reduce((s, v, j) => s + Math.abs(v - frames[i]![j]!), 0) / f.length);
    return { frames: frames.length, diffs, first: Array.from(frames[0] ?? []) };
  }, Array.from(bytes));
  return { ...meta, ...decoded, filename: download.suggestedFilename(), bytes: bytes.length };
}

async function workerTensors(page: Page): Promise<number> {
  return page.evaluate(async () => (await window.__dreamlift!.memory()).dream?.numTensors ?? -1);
}

/** Makes a WebM (VP8) clip in the page: `frames` frames at `fps`, a square moving across a gradient. */
async function makeClip(page: Page, frames: number, fps: number, width = 64, height = 48): Promise<Buffer> {
  const bytes = await page.evaluate(
    async ({ frames, fps, width, height }) => {
      const mb = await import(/* @vite-ignore */ `${location.origin}/__mediabunny.mjs`);
      const canvas = new OffscreenCanvas(width, height);
      const ctx = canvas.getContext('2d')!;
      const output = new mb.Output({ format: new mb.WebMOutputFormat(), target: new mb.BufferTarget() });
      const source = new mb.CanvasSource(canvas, { codec: 'vp8', bitrate: 1e6 });
      output.addVideoTrack(source, { frameRate: fps });
      await output.start();
      for (let k = 0; k < frames; k++) {
        const g = ctx.createLinearGradient(0, 0, width, height);
        g.addColorStop(0, '#2a6');
        g.addColorStop(1, '#a26');
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, width, height);
        ctx.fillStyle = '#fe4';
        ctx.fillRect((k * 3) % width, height / 3, 12, 12);
        await source.add(k / fps, 1 / fps);
      }
      await output.finalize();
      return Array.from(new Uint8Array(output.target.buffer));
    },
    { frames, fps, width, height },
  );
  return Buffer.from(bytes);
}

/** Bad clips made in the page: H.264's cousin HEVC (fake packets; Chromium here cannot decode it), a WebM with no frames, a 4100-px-wide WebM. */
async function makeBadClips(page: Page): Promise<{ hevc: Buffer; empty: Buffer; wide: Buffer }> {
  const clips = await page.evaluate(async () => {
    const mb = await import(/* @vite-ignore */ `${location.origin}/__mediabunny.mjs`);
    const hevcOut = new mb.Output({ format: new mb.Mp4OutputFormat(), target: new mb.BufferTarget() });
    const packets = new mb.EncodedVideoPacketSource('hevc');
    hevcOut.addVideoTrack(packets, { frameRate: 10 });
    await hevcOut.start();
    for (let k = 0; k < 3; k++) {
      const packet = new mb.EncodedPacket(new Uint8Array([0, 0, 0, 1, 2, 3, 4, 5]), k === 0 ? 'key' : 'delta', k / 10, 0.1);
      await packets.add(packet, k === 0 ? { decoderConfig: { codec: 'hvc1.1.6.L93.B0', codedWidth: 64, codedHeight: 48, description: new Uint8Array(23) } } : undefined);
    }
    await hevcOut.finalize();
    const webm = async (width: number, height: number, frames: number) => {
      const canvas = new OffscreenCanvas(width, height);
      canvas.getContext('2d')!.fillRect(0, 0, 8, 8);
      const output = new mb.Output({ format: new mb.WebMOutputFormat(), target: new mb.BufferTarget() });
      const source = new mb.CanvasSource(canvas, { codec: 'vp8', bitrate: 1e6 });
      output.addVideoTrack(source, { frameRate: 10 });
      await output.start();
      for (let k = 0; k < frames; k++) await source.add(k / 10, 0.1);
      await output.finalize();
      return Array.from(new Uint8Array(output.target.buffer));
    };
    return { hevc: Array.from(new Uint8Array(hevcOut.target.buffer)), empty: await webm(64, 48, 0), wide: await webm(4100, 16, 1) };
  });
  return { hevc: Buffer.from(clips.hevc), empty: Buffer.from(clips.empty), wide: Buffer.from(clips.wide) };
}

test.describe('Dream films (WASM)', () => {
  test('a 6-frame zoom film plays in film-video with duration frames ÷ fps, each frame different; no tensors left', async ({ page }) => {
    await watchLongTasks(page);
    await openTinyPhoto(page);
    await setNumber(page, 'film-frames', 6);
    await setNumber(page, 'film-fps', 6);
    await setNumber(page, 'film-zoom', 1.2);
    // Only the film counts: forget the long tasks of page load and photo decoding.
    await page.evaluate(() => {
      (window as unknown as { __longTasks: number[] }).__longTasks = [];
    });
    await page.getByTestId('film-start').click();
    await expect(page.getByTestId('film-progress')).toContainText('Done: 6 frames', { timeout: 120_000 });
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    console.log(`longest main-thread task while filming: ${Math.max(0, ...longTasks).toFixed(0)} ms (${longTasks.length} long tasks)`);
    expect(Math.max(0, ...longTasks), 'longest main-thread task while filming (ms)').toBeLessThan(50);
    const film = await inspectFilm(page);
    expect(film.frames).toBe(6);
    expect([film.width, film.height]).toEqual([64, 48]);
    expect(Math.abs(film.duration - 6 / 6)).toBeLessThanOrEqual(1 / 6);
    for (const d of film.diffs) expect(d, 'mean |Δ| between successive frames').toBeGreaterThan(1);
    await expect(page.getByTestId('film-progress')).toContainText('Done: 6 frames');
    expect(film.filename).toMatch(/^dreamlift-film-mixed3-zoom1\.2-6fps-6f-1steps-64x48-seed\d+\.(webm|mp4)$/);
    const baseline = await workerTensors(page);
    expect(baseline).toBeGreaterThan(0);
    // A second film leaves the worker's tensor count where the first left it (only the model's weights).
    await setNumber(page, 'film-frames', 2);
    await page.getByTestId('film-start').click();
    await expect(page.getByTestId('film-progress')).toContainText('Done: 2 frames', { timeout: 120_000 });
    expect(await workerTensors(page)).toBe(baseline);
  });

  test('stopping after 3 frames keeps a playable 3-frame film', async ({ page }) => {
    await openTinyPhoto(page);
    await setNumber(page, 'film-frames', 30);
    await setNumber(page, 'film-fps', 10);
    // Many steps per frame (about a second of WASM at 64 px), so the stop lands well inside the 4th frame.
    await setNumber(page, 'film-steps', 30);
    await page.getByTestId('film-start').click();
    await expect(page.getByTestId('film-progress')).toContainText('Frame 3 of 30 done', { timeout: 150_000 });
    await page.getByTestId('film-cancel').click();
    const film = await inspectFilm(page);
    expect(film.frames).toBe(3);
    expect(Math.abs(film.duration - 0.3)).toBeLessThanOrEqual(0.1);
    await expect(page.getByTestId('film-progress')).toContainText('Stopped: 3 frames');
  });

  test('a 2-second clip is dreamed frame by frame into a film of as many frames; bad clips get their messages', async ({ page }) => {
    await openTinyPhoto(page);
    const clip = await makeClip(page, 20, 10);
    // The panel loads the trunk when it opens; count the worker's tensors (the weights) once it has.
    await page.waitForFunction(() => window.__dreamlift?.dream().model === 'ready', undefined, { timeout: 120_000 });
    const before = await workerTensors(page);
    expect(before).toBeGreaterThan(0);
    await page.getByTestId('film-upload').setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: clip });
    await expect(page.getByTestId('film-progress')).toContainText(/of 20 done/, { timeout: 120_000 });
    const film = await inspectFilm(page);
    expect(film.frames).toBe(20);
    expect(Math.abs(film.duration - 2)).toBeLessThanOrEqual(0.1);
    await expect(page.getByTestId('film-progress')).toContainText('Done: 20 frames');
    const src = await page.getByTestId('film-video').getAttribute('src');
    expect(await workerTensors(page), 'tensors in the worker after the clip').toBe(before);

    const error = page.getByTestId('error-message');
    await page.getByTestId('film-upload').setInputFiles({ name: 'notes.webm', mimeType: 'video/webm', buffer: Buffer.from('not a video at all') });
    await expect(error).toHaveText(/not a video this browser can read/);
    await page.getByTestId('film-upload').setInputFiles({ name: 'empty.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(0) });
    await expect(error).toHaveText(/empty \(0 bytes\)/);
    const long = await makeClip(page, 22, 1);
    await page.getByTestId('film-upload').setInputFiles({ name: 'long.webm', mimeType: 'video/webm', buffer: long });
    await expect(error).toHaveText(/too long \(22\.0 s\); the limit is 20 s/);
    const bad = await makeBadClips(page);
    await page.getByTestId('film-upload').setInputFiles({ name: 'hevc.mp4', mimeType: 'video/mp4', buffer: bad.hevc });
    await expect(error).toHaveText(/cannot decode the clip's video codec \((hev1|hvc1|hevc)/);
    await page.getByTestId('film-upload').setInputFiles({ name: 'nothing.webm', mimeType: 'video/webm', buffer: bad.empty });
    await expect(error).toHaveText(/no video frames/);
    await page.getByTestId('film-upload').setInputFiles({ name: 'wide.webm', mimeType: 'video/webm', buffer: bad.wide });
    await expect(error).toHaveText(/too large \(4100×16\); the limit is 4096 px/);
    // Nothing lost: the dreamed clip is still there.
    expect(await page.getByTestId('film-video').getAttribute('src')).toBe(src);
  });

  test('a GIF comes with the film when asked; without WebCodecs (forced) MediaRecorder records a playable film and says so', async ({ page }) => {
    await openTinyPhoto(page, '&film-encoder=mediarecorder');
    await setNumber(page, 'film-frames', 4);
    await setNumber(page, 'film-fps', 4);
    await page.getByTestId('film-gif').check();
    await page.getByTestId('film-start').click();
    await expect(page.getByTestId('film-notice')).toContainText('MediaRecorder');
    const film = await inspectFilm(page);
    // MediaRecorder stamps frames with wall-clock time: about 1/fps each, so only roughly 1 s.
    expect(film.duration).toBeGreaterThan(0.5);
    expect(film.duration).toBeLessThan(2.5);
    expect(film.frames).toBeGreaterThanOrEqual(1);
    expect([film.width, film.height]).toEqual([64, 48]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('film-download-gif').click()]);
    expect(download.suggestedFilename()).toMatch(/^dreamlift-film-.*-4f-.*\.gif$/);
    const gif = readFileSync((await download.path())!);
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    // One graphic control block per frame.
    let frames = 0;
    for (let i = 0; i + 1 < gif.length; i++) if (gif[i] === 0x21 && gif[i + 1] === 0xf9 && gif[i + 2] === 4) frames++;
    expect(frames).toBe(4);
  });

  test('a film can start from the last dream instead of the photo', async ({ page }) => {
    await openTinyPhoto(page);
    const canvasPixels = () =>
      page.getByTestId('dream-canvas').evaluate((el: HTMLCanvasElement) => Array.from(el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data));
    const photo = await canvasPixels();
    await setNumber(page, 'octaves-input', 1);
    await setNumber(page, 'steps-input', 12);
    await setNumber(page, 'step-size-input', 0.05);
    await page.getByTestId('dream-start').click();
    await page.waitForFunction(() => window.__dreamlift?.dream().status === 'done', undefined, { timeout: 150_000 });
    const dreamt = await canvasPixels();
    await page.getByTestId('film-from-dream').check();
    await setNumber(page, 'film-frames', 2);
    // Zero steps: frame 0 is the starting image itself.
    await setNumber(page, 'film-steps', 0);
    await page.getByTestId('film-start').click();
    const film = await inspectFilm(page);
    expect(film.frames).toBe(2);
    const meanDiff = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + ((i & 3) === 3 ? 0 : Math.abs(v - b[i]!)), 0) / (a.length * 0.75);
    const toDream = meanDiff(film.first, dreamt);
    const toPhoto = meanDiff(film.first, photo);
    expect(meanDiff(dreamt, photo), 'the dream changed the photo').toBeGreaterThan(4);
    expect(toDream, `frame 0 vs dream ${toDream.toFixed(2)}, vs photo ${toPhoto.toFixed(2)}`).toBeLessThan(toPhoto / 2);
  });
});
