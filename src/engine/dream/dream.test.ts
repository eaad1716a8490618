import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemIO } from '../models/fs-io';
import { loadDreamModel, type DreamModel } from '../models/dream-model';
import { DEFAULT_DREAM_PARAMS, DREAM_LAYERS, deepDream, type DreamFrame, type DreamParams } from './dream';
import { octaveSizes } from './octaves';
import { useStandInDreamModel } from './testing/stand-in-suite';

/** [h, w, 3] float32 0..255, smooth and seeded. */
function photo(h: number, w: number, seed = 1): tf.Tensor3D {
  return tf.tidy(() => tf.add(tf.mul(tf.randomUniform([h, w, 3], 0, 1, 'float32', seed), 100), 80) as tf.Tensor3D);
}

const params = (over: Partial<DreamParams>): DreamParams => ({
  ...DEFAULT_DREAM_PARAMS,
  layers: [{ name: 'mixed1', weight: 1 }],
  octaves: 2,
  steps: 3,
  tileSize: 64,
  jitter: 2,
  frameEvery: 1,
  ...over,
});

async function collect(gen: AsyncGenerator<DreamFrame>): Promise<DreamFrame[]> {
  const frames: DreamFrame[] = [];
  for await (const f of gen) frames.push(f);
  return frames;
}

describe('deepDream (stand-in model)', () => {
  let model: DreamModel;
  useStandInDreamModel((m) => {
    model = m;
  });

  it('yields frames every N steps and at octave ends, octave sizes following the scale, last at the photo size', async () => {
    const before = tf.memory().numTensors;
    const p = photo(30, 40);
    const frames = await collect(deepDream(model, p, params({ octaves: 3, octaveScale: 1.5, steps: 5, frameEvery: 2 })));
    const sizes = octaveSizes(40, 30, 3, 1.5, model.minSide);
    expect(frames.map((f) => `${f.octave}:${f.step}`)).toEqual(['0:2', '0:4', '0:5', '1:2', '1:4', '1:5', '2:2', '2:4', '2:5']);
    for (const f of frames) {
      expect(f.width).toBe(sizes[f.octave].width);
      expect(f.height).toBe(sizes[f.octave].height);
      expect(f.pixels.length).toBe(f.width * f.height * 4);
    }
    const last = frames[frames.length - 1];
    expect([last.width, last.height]).toEqual([40, 30]);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves the image unchanged with a zero step size', async () => {
    const p = photo(24, 24);
    const expected = Uint8ClampedArray.from(await p.data(), (v) => v);
    const frames = await collect(deepDream(model, p, params({ octaves: 1, stepSize: 0 })));
    const last = frames[frames.length - 1];
    for (let i = 0, j = 0; i < 24 * 24; i++, j += 4) {
      expect([last.pixels[j], last.pixels[j + 1], last.pixels[j + 2], last.pixels[j + 3]]).toEqual([expected[i * 3], expected[i * 3 + 1], expected[i * 3 + 2], 255]);
    }
    p.dispose();
  });

  it('raises the objective over the steps of an octave', async () => {
    const p = photo(32, 32);
    const frames = await collect(deepDream(model, p, params({ octaves: 1, steps: 8, jitter: 0, stepSize: 0.02 })));
    const objectives = frames.map((f) => f.objective);
    expect(objectives[objectives.length - 1]).toBeGreaterThan(objectives[0] * 1.05);
    p.dispose();
  });

  it('is reproducible from the seed and differs between seeds', async () => {
    const p = photo(28, 28);
    const run = async (seed: number) => (await collect(deepDream(model, p, params({ seed, jitter: 4 })))).pop()!.pixels;
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(c))).not.toBe(0);
    const n1 = (await collect(deepDream(model, p, params({ fromNoise: true, seed: 9 })))).pop()!.pixels;
    const n2 = (await collect(deepDream(model, p, params({ fromNoise: true, seed: 9 })))).pop()!.pixels;
    expect(Buffer.compare(Buffer.from(n1), Buffer.from(n2))).toBe(0);
    expect(Buffer.compare(Buffer.from(n1), Buffer.from(a))).not.toBe(0);
    p.dispose();
  });

  it('keeps the photo size through detail blending, also with tiles and gradient blur', async () => {
    const before = tf.memory().numTensors;
    const p = photo(50, 70);
    const frames = await collect(deepDream(model, p, params({ octaves: 3, octaveScale: 1.3, steps: 1, tileSize: 16, gradientBlur: 1 })));
    const last = frames[frames.length - 1];
    expect([last.width, last.height]).toEqual([70, 50]);
    expect(Number.isFinite(last.objective)).toBe(true);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops between steps on abort with an AbortError and leaks no tensors', async () => {
    const p = photo(32, 32);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: DreamFrame[] = [];
    let caught: unknown = null;
    try {
      for await (const f of deepDream(model, p, params({ octaves: 2, steps: 5 }), controller.signal)) {
        seen.push(f);
        if (seen.length === 2) controller.abort();
      }
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);

    const early = deepDream(model, p, params({}));
    await early.next();
    await early.return(undefined);
    expect(tf.memory().numTensors).toBe(before);

    const pre = new AbortController();
    pre.abort();
    await expect(collect(deepDream(model, p, params({}), pre.signal))).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('rejects unusable parameters and images with named errors', async () => {
    const p = photo(24, 24);
    await expect(collect(deepDream(model, p, params({ layers: [{ name: 'mixed7', weight: 1 }] })))).rejects.toMatchObject({ name: 'BadParamsError' });
    await expect(collect(deepDream(model, p, params({ channel: 6 })))).rejects.toMatchObject({ name: 'BadParamsError' });
    await expect(collect(deepDream(model, p, params({ octaves: 0 })))).rejects.toMatchObject({ name: 'BadParamsError' });
    await expect(collect(deepDream(model, p, params({ gradientBlur: -1 })))).rejects.toMatchObject({ name: 'BadParamsError' });
    const tiny = photo(3, 3);
    await expect(collect(deepDream(model, tiny, params({})))).rejects.toMatchObject({ name: 'BadImageError' });
    tf.dispose([p, tiny]);
  });

  it('dreams one channel of a layer', async () => {
    const p = photo(24, 24);
    const frames = await collect(deepDream(model, p, params({ octaves: 1, steps: 4, channel: 2, jitter: 0 })));
    expect(frames[frames.length - 1].objective).toBeGreaterThan(frames[0].objective);
    p.dispose();
  });
});

describe('deepDream (shipped InceptionV3 trunk, CPU)', () => {
  it('raises the mixed3 objective on a small image', async () => {
    await tf.setBackend('cpu');
    const start = tf.memory().numTensors;
    const model = await loadDreamModel(fileSystemIO(path.resolve(__dirname, '../../../public/models/inception-mixed5/model.json')));
    expect(DREAM_LAYERS.map((l) => l.name)).toEqual(model.layerNames);
    const p = photo(48, 48);
    const frames = await collect(deepDream(model, p, { ...DEFAULT_DREAM_PARAMS, octaves: 1, steps: 3, jitter: 0, frameEvery: 1 }));
    expect(frames).toHaveLength(3);
    expect(frames[2].objective).toBeGreaterThan(frames[0].objective);
    p.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
