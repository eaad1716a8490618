import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DREAM_PARAMS, type DreamParams } from '../dream/params';
import type { DreamModel } from '../models/dream-model';
import { standInDreamModel } from '../dream/stand-in-model';
import { ClipDreamer, carryDetail, dreamFrame, frameDreamParams, rgbaToTensor, zoomFilm, type FilmFrame, type FilmParams } from './film';
import { useStandInDreamModel } from '../dream/testing/stand-in-suite';

const dream = (over: Partial<DreamParams> = {}): DreamParams => ({
  ...DEFAULT_DREAM_PARAMS,
  layers: [{ name: 'mixed1', weight: 1 }],
  octaves: 1,
  steps: 2,
  stepSize: 0.05,
  tileSize: 64,
  jitter: 2,
  ...over,
});

const film = (over: Partial<FilmParams> = {}): FilmParams => ({
  frames: 3,
  motion: { zoom: 1.1, rotateDeg: 0, driftX: 0, driftY: 0 },
  dream: dream(),
  objectives: [],
  ...over,
});

/** Seeded smooth-ish RGBA, w×h. */
function rgba(w: number, h: number, seed: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = (i & 3) === 3 ? 255 : 60 + (s % 120);
  }
  return out;
}

async function collect(gen: AsyncGenerator<FilmFrame>): Promise<FilmFrame[]> {
  const frames: FilmFrame[] = [];
  for await (const f of gen) frames.push(f);
  return frames;
}

const diff = (a: Uint8ClampedArray, b: Uint8ClampedArray): number => a.reduce((acc, v, i) => acc + Math.abs(v - b[i]!), 0);

describe('zoomFilm (stand-in model)', () => {
  let model: DreamModel;
  useStandInDreamModel((m) => {
    model = m;
  });

  it('yields the frames at the photo size, deterministic for a seed, each one different', async () => {
    const before = tf.memory().numTensors;
    const photo = rgbaToTensor(rgba(24, 20, 3), 24, 20);
    const a = await collect(zoomFilm(model, photo, film()));
    const b = await collect(zoomFilm(model, photo, film()));
    const c = await collect(zoomFilm(model, photo, film({ dream: dream({ seed: 9 }) })));
    expect(a.map((f) => [f.index, f.frames, f.width, f.height])).toEqual([[0, 3, 24, 20], [1, 3, 24, 20], [2, 3, 24, 20]]);
    for (let k = 0; k < 3; k++) expect(diff(a[k]!.pixels, b[k]!.pixels)).toBe(0);
    expect(diff(a[2]!.pixels, c[2]!.pixels)).toBeGreaterThan(0);
    expect(diff(a[0]!.pixels, a[1]!.pixels)).toBeGreaterThan(0);
    photo.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frame k + 1 is the dream of frame k zoomed (with zero steps: exactly the zoom)', async () => {
    const photo = rgbaToTensor(rgba(16, 16, 5), 16, 16);
    const frames = await collect(zoomFilm(model, photo, film({ frames: 2, dream: dream({ steps: 0 }), motion: { zoom: 2, rotateDeg: 0, driftX: 0, driftY: 0 } })));
    const f0 = frames[0]!.pixels;
    const f1 = frames[1]!.pixels;
    // Output pixel (x, y) samples (7.5 + (x − 7.5)/2, …): pixel (1, 1) ↔ source (4.25, 4.25).
    const at = (p: Uint8ClampedArray, x: number, y: number) => p[(y * 16 + x) * 4]!;
    const expected = 0.75 * 0.75 * at(f0, 4, 4) + 0.75 * 0.25 * (at(f0, 5, 4) + at(f0, 4, 5)) + 0.25 * 0.25 * at(f0, 5, 5);
    expect(Math.abs(at(f1, 1, 1) - expected)).toBeLessThanOrEqual(0.5 + 1e-6);
    photo.dispose();
  });

  it('blends an objective sequence across the frames', async () => {
    const photo = rgbaToTensor(rgba(16, 16, 2), 16, 16);
    const frames = await collect(zoomFilm(model, photo, film({ frames: 3, objectives: ['mixed0', 'mixed1'] })));
    expect(frames.map((f) => f.layers)).toEqual([[{ name: 'mixed0', weight: 1 }], [{ name: 'mixed0', weight: 0.5 }, { name: 'mixed1', weight: 0.5 }], [{ name: 'mixed1', weight: 1 }]]);
    await expect(collect(zoomFilm(model, photo, film({ objectives: ['mixed9'] })))).rejects.toThrow(/unknown layer mixed9/);
    await expect(collect(zoomFilm(model, photo, film({ dream: dream({ channel: 1 }), objectives: ['mixed0'] })))).rejects.toMatchObject({ name: 'BadParamsError' });
    await expect(collect(zoomFilm(model, photo, film({ frames: 0 })))).rejects.toThrow(/number of frames/);
    photo.dispose();
  });

  it('follows a sequence of filters, each frame climbing its own mix of channels', async () => {
    const start = tf.memory().numTensors;
    const photo = rgbaToTensor(rgba(16, 16, 3), 16, 16);
    const frames = await collect(zoomFilm(model, photo, film({ frames: 3, objectives: ['mixed1:0', 'mixed1:1'] })));
    expect(frames.map((f) => f.layers)).toEqual([
      [{ name: 'mixed1', weight: 1, channel: 0 }],
      [{ name: 'mixed1', weight: 0.5, channel: 0 }, { name: 'mixed1', weight: 0.5, channel: 1 }],
      [{ name: 'mixed1', weight: 1, channel: 1 }],
    ]);
    // Frame 0 dreams filter 0 alone: the same pixels as a plain film whose dream names filter 0.
    const plain = await collect(zoomFilm(model, photo, film({ frames: 1, dream: dream({ channel: 0 }) })));
    expect(Array.from(frames[0]!.pixels)).toEqual(Array.from(plain[0]!.pixels));
    expect(Array.from(frames[2]!.pixels)).not.toEqual(Array.from(frames[1]!.pixels));
    const channels = (model.trunk.getLayer('mixed1').outputShape as number[])[3]!;
    await expect(collect(zoomFilm(model, photo, film({ objectives: ['mixed1:0', `mixed1:${channels}`] })))).rejects.toThrow(new RegExp(`filters 0 to ${channels - 1}`));
    await expect(collect(zoomFilm(model, photo, film({ objectives: ['mixed1:a'] })))).rejects.toMatchObject({ name: 'BadParamsError' });
    photo.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('stops with AbortError and leaks nothing when cancelled mid-film', async () => {
    const before = tf.memory().numTensors;
    const photo = rgbaToTensor(rgba(16, 16, 4), 16, 16);
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const f of zoomFilm(model, photo, film({ frames: 5 }), controller.signal)) {
          seen.push(f.index);
          if (f.index === 1) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([0, 1]);
    photo.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ClipDreamer (stand-in model)', () => {
  let model: DreamModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = standInDreamModel();
  });
  afterAll(() => model.dispose());

  const clip = [rgba(16, 12, 1), rgba(16, 12, 2), rgba(16, 12, 3)];

  it('blend 0 dreams every frame on its own (as the single-frame dream with seed + k)', async () => {
    const before = tf.memory().numTensors;
    const d = new ClipDreamer(model, { dream: dream(), blend: 0, objectives: [] });
    for (let k = 0; k < clip.length; k++) {
      const got = await d.next(clip[k]!, 16, 12);
      const input = rgbaToTensor(clip[k]!, 16, 12);
      const alone = await dreamFrame(model, input, frameDreamParams(dream(), [], k, 3));
      input.dispose();
      expect(diff(got.pixels, alone.pixels)).toBe(0);
    }
    expect(d.framesDone).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('blend 1 keeps the previous frame’s detail: frame t starts from clip t + (dreamt t−1 − clip t−1), blend ½ from half of it', async () => {
    const before = tf.memory().numTensors;
    const d = new ClipDreamer(model, { dream: dream(), blend: 1, objectives: [] });
    const first = await d.next(clip[0]!, 16, 12);
    expect(diff(first.pixels, clip[0]!)).toBeGreaterThan(0);
    for (const blend of [1, 0.5, 0]) {
      const start = carryDetail({ pixels: clip[1]!, width: 16, height: 12 }, clip[0]!, first.pixels, { width: 16, height: 12 }, blend);
      const got = await start.data();
      start.dispose();
      for (let i = 0, j = 0; i < clip[1]!.length; i++) {
        if ((i & 3) === 3) continue;
        const expected = Math.min(255, Math.max(0, clip[1]![i]! + blend * (first.pixels[i]! - clip[0]![i]!)));
        expect(got[j++]).toBeCloseTo(expected, 4);
      }
    }
    const none = carryDetail({ pixels: clip[1]!, width: 16, height: 12 }, null, null, null, 1);
    expect(diff(Uint8ClampedArray.from(await none.data()), Uint8ClampedArray.from(clip[1]!.filter((_, i) => (i & 3) !== 3)))).toBe(0);
    none.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with a still clip, blend 1 accumulates detail while blend 0 repeats the same frame', async () => {
    const same = [clip[0]!, clip[0]!, clip[0]!];
    const zero = new ClipDreamer(model, { dream: dream({ seed: 4 }), blend: 0, objectives: [] });
    const one = new ClipDreamer(model, { dream: dream({ seed: 4 }), blend: 1, objectives: [] });
    const z: FilmFrame[] = [];
    const o: FilmFrame[] = [];
    for (const f of same) {
      z.push(await zero.next(f, 16, 12));
      o.push(await one.next(f, 16, 12));
    }
    expect(diff(z[0]!.pixels, o[0]!.pixels)).toBe(0);
    // Blend 1's third frame has moved further from the clip than blend 0's (three frames of ascent vs one).
    expect(diff(o[2]!.pixels, clip[0]!)).toBeGreaterThan(diff(z[2]!.pixels, clip[0]!) * 1.5);
  });

  it('refuses a blend outside 0..1 and a frame of the wrong size', async () => {
    expect(() => new ClipDreamer(model, { dream: dream(), blend: 1.5, objectives: [] })).toThrow(/blend/);
    const d = new ClipDreamer(model, { dream: dream(), blend: 0.5, objectives: [] });
    await expect(d.next(new Uint8ClampedArray(10), 16, 12)).rejects.toMatchObject({ name: 'BadParamsError' });
  });
});
