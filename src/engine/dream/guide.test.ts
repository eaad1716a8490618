import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDreamModel, type DreamModel } from '../models/dream-model';
import { DEFAULT_DREAM_PARAMS, deepDream, type DreamFrame, type DreamParams } from './dream';
import { guideFeatures, guideObjective, guideSimilarity } from './guide';
import { standInDreamModel } from './stand-in-model';

async function collect(gen: AsyncGenerator<DreamFrame>): Promise<DreamFrame[]> {
  const frames: DreamFrame[] = [];
  for await (const f of gen) frames.push(f);
  return frames;
}

/** A 1×1 convolution with the identity kernel and no bias: its features are the pixels in 0..1. */
function identityModel(): DreamModel {
  const input = tf.input({ shape: [null, null, 3] });
  const conv = tf.layers.conv2d({ name: 'pix', filters: 3, kernelSize: 1, useBias: false });
  const out = conv.apply(input) as tf.SymbolicTensor;
  const kernel = tf.tidy(() => tf.eye(3).reshape([1, 1, 3, 3]));
  conv.setWeights([kernel]);
  kernel.dispose();
  return createDreamModel(tf.model({ inputs: input, outputs: out }), { scale: 1 / 255, offset: 0, min: 0, max: 1 }, ['pix'], 1);
}

/** [h, w, 3] in 0..255: the left half one colour, the right half another. */
function halves(h: number, w: number, left: number[], right: number[]): tf.Tensor3D {
  const data = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < w / 2 ? left : right, (y * w + x) * 3);
  return tf.tensor3d(data, [h, w, 3]);
}

const base = (over: Partial<DreamParams>): DreamParams => ({ ...DEFAULT_DREAM_PARAMS, octaves: 1, steps: 3, jitter: 0, tileSize: 64, frameEvery: 1, ...over });

describe('guideObjective', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the mean of the best-match dot products, with the best match as gradient', () => {
    const start = tf.memory().numTensors;
    // Two positions x1 = (1, 0), x2 = (1, 2); guide vectors g1 = (1, 1), g2 = (3, -1), g3 = (0, 1).
    // x1·g = 1, 3, 0 → 3 (g2); x2·g = 3, 1, 2 → 3 (g1). Mean 3; gradient g2/2 at x1, g1/2 at x2.
    const a = tf.tensor4d([1, 0, 1, 2], [1, 1, 2, 2]);
    const g = tf.tensor2d([1, 1, 3, -1, 0, 1], [3, 2]);
    const value = guideObjective(a, g);
    expect(value.dataSync()[0]).toBeCloseTo(3, 6);
    const grad = tf.grad((x: tf.Tensor) => guideObjective(x, g))(a);
    expect(Array.from(grad.dataSync())).toEqual([1.5, -0.5, 0.5, 0.5]);
    const wrong = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => guideObjective(a, wrong)).toThrow(RangeError);
    tf.dispose([a, g, value, grad, wrong]);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('guideSimilarity', () => {
  it('is the mean best cosine similarity to a guide vector', async () => {
    await tf.setBackend('cpu');
    const start = tf.memory().numTensors;
    // x1 = (1, 0) points along g1 = (2, 0): 1; x2 = (1, 1) is 45° from both: 1/√2.
    const a = tf.tensor4d([1, 0, 1, 1], [1, 2, 1, 2]);
    const g = tf.tensor2d([2, 0, 0, 3], [2, 2]);
    expect(guideSimilarity(a, g)).toBeCloseTo((1 + Math.SQRT1_2) / 2, 5);
    tf.dispose([a, g]);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('guided deepDream', () => {
  let pix: DreamModel;
  let standIn: DreamModel;
  let start = 0;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    start = tf.memory().numTensors;
    pix = identityModel();
    standIn = standInDreamModel();
  });

  afterAll(() => {
    pix.dispose();
    standIn.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('computes the guide features once, at the guide size, in model units', () => {
    const guide = halves(2, 4, [255, 0, 0], [0, 0, 51]);
    const features = guideFeatures(pix, 'pix', guide);
    expect(features.shape).toEqual([8, 3]);
    const f = Array.from(features.dataSync());
    expect(f.slice(0, 3)).toEqual([1, 0, 0]);
    expect(f.slice(9, 12).map((v) => +v.toFixed(6))).toEqual([0, 0, 0.2]);
    const tiny = halves(3, 3, [0, 0, 0], [0, 0, 0]);
    expect(() => guideFeatures(standIn, 'mixed0', tiny)).toThrow(/at least 4×4/);
    tf.dispose([guide, features, tiny]);
  });

  it('pulls each position towards the guide vector it matches best, and the objective rises', async () => {
    const before = tf.memory().numTensors;
    // Reddish left, bluish right; the guide is pure red | pure blue, so the left half can
    // only gain red and the right half only blue: the gradient is (1, 0, 0) or (0, 0, 1).
    const photo = halves(8, 8, [153, 102, 102], [102, 102, 153]);
    const guide = halves(8, 8, [255, 0, 0], [0, 0, 255]);
    const features = guideFeatures(pix, 'pix', guide);
    const frames = await collect(deepDream(pix, photo, base({ layers: [{ name: 'pix', weight: 1 }], stepSize: 0.02, guide: { layer: 'pix', features } })));
    const last = frames[frames.length - 1].pixels;
    // Normalised by mean |g| = 1/3 of one pixel's, each step adds 3·0.02 = 0.06 (15.3 in 0..255) to one channel.
    const left = Array.from(last.slice(0, 3));
    const right = Array.from(last.slice(7 * 4, 7 * 4 + 3));
    expect(left).toEqual([Math.round(153 + 3 * 15.3), 102, 102]);
    expect(right).toEqual([102, 102, Math.round(153 + 3 * 15.3)]);
    const objectives = frames.map((f) => f.objective);
    // Objective at step s (before its update): the mean of the matched channel, 0.6 + 0.06·(s − 1).
    objectives.forEach((v, s) => expect(v).toBeCloseTo(0.6 + 0.06 * s, 4));
    tf.dispose([photo, guide, features]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('on a conv net: raises the guide objective, is reproducible from the seed, differs from an unguided dream, leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const photo = tf.tidy(() => tf.add(tf.mul(tf.randomUniform([32, 32, 3], 0, 1, 'float32', 3), 100), 80) as tf.Tensor3D);
    const guide = halves(24, 24, [250, 40, 20], [20, 60, 240]);
    const features = guideFeatures(standIn, 'mixed1', guide);
    const guided = base({ layers: [{ name: 'mixed1', weight: 1 }], steps: 8, stepSize: 0.02, guide: { layer: 'mixed1', features } });
    const a = await collect(deepDream(standIn, photo, guided));
    expect(a[a.length - 1].objective).toBeGreaterThan(a[0].objective * 1.05);
    const jittered = { ...guided, steps: 3, jitter: 3, seed: 5 };
    const b1 = (await collect(deepDream(standIn, photo, jittered))).pop()!.pixels;
    const b2 = (await collect(deepDream(standIn, photo, jittered))).pop()!.pixels;
    expect(Buffer.compare(Buffer.from(b1), Buffer.from(b2))).toBe(0);
    const plain = (await collect(deepDream(standIn, photo, { ...jittered, guide: undefined }))).pop()!.pixels;
    expect(Buffer.compare(Buffer.from(b1), Buffer.from(plain))).not.toBe(0);
    // The caller's features are not disposed by the dream.
    expect(features.isDisposed).toBe(false);
    tf.dispose([photo, guide, features]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a guide with a filter, for another layer or with the wrong channels', async () => {
    const photo = halves(16, 16, [100, 100, 100], [150, 150, 150]);
    const features = guideFeatures(standIn, 'mixed1', photo);
    const p = base({ layers: [{ name: 'mixed1', weight: 1 }], guide: { layer: 'mixed1', features } });
    await expect(collect(deepDream(standIn, photo, { ...p, channel: 2 }))).rejects.toThrow(/guide or a filter/);
    await expect(collect(deepDream(standIn, photo, { ...p, layers: [{ name: 'mixed0', weight: 1 }] }))).rejects.toMatchObject({ name: 'BadParamsError' });
    await expect(collect(deepDream(standIn, photo, { ...p, layers: [{ name: 'mixed0', weight: 1 }], guide: { layer: 'mixed0', features } }))).rejects.toThrow(/do not match/);
    tf.dispose([photo, features]);
  });
});
