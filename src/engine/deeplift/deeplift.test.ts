import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache, UnsupportedLayerError, type DeepLiftRule } from './deeplift';
import { naiveDeepLift } from './testing/naive-deeplift';
import { mnistArchitecture, randomizeWeights, smallConvNet, stridedSameNet, toNaiveLayers } from './testing/model-fixtures';

const RULES: DeepLiftRule[] = ['rescale', 'revealcancel'];

/** Seeded input in [0, 1] with about a third of the pixels exactly 0 (so Δx = 0 occurs). */
function sparseInput(shape: number[], seed: number): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.randomUniform(shape, 0, 1, 'float32', seed);
    return tf.where(tf.less(u, 0.33), tf.zerosLike(u), u);
  });
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Largest |a − b| relative to max(1, max|b|). */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / Math.max(1, maxAbs(b));
}

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(baseline);
});

describe('deepLift against a naive float64 transcription of the reference code', () => {
  for (const rule of RULES) {
    for (const seed of [11, 12, 13]) {
      it(`${rule}: every class map matches pixel by pixel (net seed ${seed})`, async () => {
        const before = tf.memory().numTensors;
        const model = smallConvNet(seed);
        const x = sparseInput([1, 8, 8, 2], seed + 100);
        const x0 = seed === 13 ? sparseInput([1, 8, 8, 2], seed + 200) : tf.zeros([1, 8, 8, 2]);
        const result = await deepLift(model, x, { rule, reference: x0, allClasses: true });
        const layers = toNaiveLayers(model);
        const xs = Float64Array.from(x.dataSync());
        const x0s = Float64Array.from(x0.dataSync());
        const predicted = model.predict(x) as tf.Tensor;
        const probs = predicted.dataSync();
        for (let c = 0; c < 4; c++) {
          const seedRow = Float64Array.from({ length: 4 }, (_, j) => (j === c ? 1 : 0));
          const naive = naiveDeepLift(layers, xs, x0s, seedRow, rule);
          expect(relError(result.classMaps![c], naive.contribs)).toBeLessThan(2e-5);
          expect(relError(result.logits, naive.logits)).toBeLessThan(2e-5);
          expect(relError(result.referenceLogits, naive.refLogits)).toBeLessThan(2e-5);
          expect(Math.abs(result.probabilities[c] - probs[c])).toBeLessThan(1e-5);
        }
        // The naive maps are not trivial: some contributions are non-zero.
        expect(maxAbs(result.classMaps![0]) + maxAbs(result.classMaps![1])).toBeGreaterThan(1e-3);
        for (const t of [x, x0, predicted]) t.dispose();
        releaseDeepLiftCache(model);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  for (const rule of RULES) {
    it(`${rule}: matches on strided 'same' and 'valid' convs with uneven kernels and strides`, async () => {
      const model = stridedSameNet(5);
      const x = sparseInput([1, 7, 9, 2], 55);
      const x0 = sparseInput([1, 7, 9, 2], 56);
      const result = await deepLift(model, x, { rule, reference: x0, allClasses: true });
      const layers = toNaiveLayers(model);
      for (let c = 0; c < 3; c++) {
        const seedRow = Float64Array.from({ length: 3 }, (_, j) => (j === c ? 1 : 0));
        const naive = naiveDeepLift(layers, Float64Array.from(x.dataSync()), Float64Array.from(x0.dataSync()), seedRow, rule);
        expect(relError(result.classMaps![c], naive.contribs)).toBeLessThan(2e-5);
        expect(maxAbs(naive.contribs)).toBeGreaterThan(0);
      }
      for (const t of [x, x0]) t.dispose();
      releaseDeepLiftCache(model);
      model.dispose();
    });
  }

  it('rescale and revealcancel give different maps on the same net (the rules are distinct)', async () => {
    const model = smallConvNet(21);
    const x = sparseInput([1, 8, 8, 2], 5);
    const a = await deepLift(model, x, { rule: 'rescale', target: 0 });
    const b = await deepLift(model, x, { rule: 'revealcancel', target: 0 });
    expect(relError(a.attributions, b.attributions)).toBeGreaterThan(1e-4);
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });
});

describe('summation-to-delta', () => {
  for (const rule of RULES) {
    it(`${rule}: Σ attributions = Δt on random small nets, every class`, async () => {
      for (const seed of [31, 32]) {
        const model = smallConvNet(seed);
        const x = sparseInput([1, 8, 8, 2], seed);
        const r = await deepLift(model, x, { rule, allClasses: true });
        expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.delta)));
        r.classMaps!.forEach((map, c) => {
          const s = map.reduce((a, b) => a + b, 0);
          expect(Math.abs(s - r.classDeltas![c])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.classDeltas![c])));
        });
        x.dispose();
        releaseDeepLiftCache(model);
        model.dispose();
      }
    });

    it(`${rule}: Σ attributions = Δt on the MNIST architecture (random weights)`, async () => {
      const model = mnistArchitecture(3);
      const x = sparseInput([1, 28, 28, 1], 9);
      const r = await deepLift(model, x, { rule, target: 4 });
      expect(r.delta).not.toBe(0);
      expect(Math.abs(r.sum - r.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.delta)));
      const predicted = model.predict(x) as tf.Tensor;
      const p = predicted.dataSync();
      r.probabilities.forEach((v, i) => expect(Math.abs(v - p[i])).toBeLessThan(1e-5));
      predicted.dispose();
      x.dispose();
      releaseDeepLiftCache(model);
      model.dispose();
    });
  }

  it('holds through BatchNormalization, AveragePooling2D, DepthwiseConv2D, Add, Concatenate and other activations', async () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const a = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization().apply(a) as tf.SymbolicTensor;
    const act = tf.layers.activation({ activation: 'tanh' }).apply(bn) as tf.SymbolicTensor;
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'sigmoid' }).apply(act) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([act, dw]) as tf.SymbolicTensor;
    const pooled = tf.layers.averagePooling2d({ poolSize: 2 }).apply(sum) as tf.SymbolicTensor;
    const leaky = tf.layers.leakyReLU({ alpha: 0.2 }).apply(pooled) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([pooled, leaky]) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(cat) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeWeights(model, 7);
    // Keep the batch-norm variance positive.
    const bnLayer = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    const w = bnLayer.getWeights();
    const fixed = [w[0], w[1], w[2], tf.tidy(() => tf.abs(w[3]).add(0.5))];
    bnLayer.setWeights(fixed);
    fixed[3].dispose();
    const x = sparseInput([1, 8, 8, 2], 3);
    for (const rule of RULES) {
      const r = await deepLift(model, x, { rule, allClasses: true });
      const predicted = model.predict(x) as tf.Tensor;
      const p = predicted.dataSync();
      r.probabilities.forEach((v, i) => expect(Math.abs(v - p[i])).toBeLessThan(1e-5));
      predicted.dispose();
      r.classMaps!.forEach((map, c) => {
        const s = map.reduce((acc, v) => acc + v, 0);
        expect(Math.abs(s - r.classDeltas![c])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.classDeltas![c])));
      });
    }
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });
});

describe('special cases', () => {
  it('a purely linear net gives exactly gradient × Δinput', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, strides: 2, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }),
      ],
    });
    randomizeWeights(model, 17);
    const x = sparseInput([1, 6, 6, 1], 4);
    const x0 = sparseInput([1, 6, 6, 1], 8);
    for (const rule of RULES) {
      const r = await deepLift(model, x, { rule, target: 2, reference: x0 });
      const expected = tf.tidy(() => {
        const g = tf.grad((z: tf.Tensor) => (model.apply(z) as tf.Tensor).slice([0, 2], [1, 1]).sum())(x);
        return g.mul(x.sub(x0));
      });
      expect(relError(r.attributions, expected.dataSync())).toBeLessThan(1e-5);
      expected.dispose();
    }
    for (const t of [x, x0]) t.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('contrast = difference of the two class maps; softmax-normalised = map minus mean of the maps', async () => {
    const model = smallConvNet(41);
    const x = sparseInput([1, 8, 8, 2], 41);
    for (const rule of RULES) {
      const all = await deepLift(model, x, { rule, allClasses: true });
      const contrast = await deepLift(model, x, { rule, target: 1, contrast: 3 });
      const expected = all.classMaps![1].map((v, i) => v - all.classMaps![3][i]);
      expect(relError(contrast.attributions, expected)).toBeLessThan(1e-5);
      expect(contrast.delta).toBeCloseTo(all.classDeltas![1] - all.classDeltas![3], 5);
      expect(Math.abs(contrast.sum - contrast.delta)).toBeLessThan(1e-4);

      const normalized = await deepLift(model, x, { rule, target: 2, softmaxNormalize: true, allClasses: true });
      const mean = all.classMaps![0].map((_, i) => all.classMaps!.reduce((s, m) => s + m[i], 0) / 4);
      expect(relError(normalized.attributions, all.classMaps![2].map((v, i) => v - mean[i]))).toBeLessThan(1e-5);
      const meanDelta = all.classDeltas!.reduce((a, b) => a + b, 0) / 4;
      expect(normalized.delta).toBeCloseTo(all.classDeltas![2] - meanDelta, 5);
      expect(normalized.classMaps!.length).toBe(4);
      expect(relError(normalized.classMaps![0], all.classMaps![0].map((v, i) => v - mean[i]))).toBeLessThan(1e-5);
    }
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('a main map that equals one of the extra maps is that map: all classes with a target, top-k without one', async () => {
    const model = mnistArchitecture(6);
    const x = sparseInput([1, 28, 28, 1], 6);
    for (const rule of RULES) {
      const all = await deepLift(model, x, { rule, target: 4, allClasses: true });
      const single = await deepLift(model, x, { rule, target: 4 });
      expect(all.target).toBe(4);
      expect(Array.from(all.attributions)).toEqual(Array.from(all.classMaps![4]));
      expect(relError(all.attributions, single.attributions)).toBeLessThan(1e-6);
      expect(all.delta).toBeCloseTo(single.delta, 6);
      expect(all.classMaps!.length).toBe(10);
      const top = await deepLift(model, x, { rule, topK: 3 });
      const order = top.logits.map((_, c) => c).sort((a, b) => top.logits[b] - top.logits[a]);
      expect(top.top!.map((t) => t.classIndex)).toEqual(order.slice(0, 3));
      expect(top.target).toBe(order[0]);
      expect(Array.from(top.attributions)).toEqual(Array.from(top.top![0].attributions));
      for (const t of top.top!) {
        const one = await deepLift(model, x, { rule, target: t.classIndex });
        expect(relError(t.attributions, one.attributions)).toBeLessThan(1e-6);
      }
    }
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('all classes in one batched pass equal ten single runs; default target is the predicted class', async () => {
    const model = mnistArchitecture(5);
    const x = sparseInput([1, 28, 28, 1], 5);
    for (const rule of RULES) {
      const all = await deepLift(model, x, { rule, allClasses: true });
      const predicted = all.logits.indexOf(Math.max(...all.logits));
      expect(all.target).toBe(predicted);
      expect(relError(all.attributions, all.classMaps![predicted])).toBeLessThan(1e-6);
      for (let c = 0; c < 10; c++) {
        const single = await deepLift(model, x, { rule, target: c });
        expect(relError(single.attributions, all.classMaps![c])).toBeLessThan(1e-6);
        expect(single.delta).toBeCloseTo(all.classDeltas![c], 6);
      }
    }
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('throws UnsupportedLayerError naming the layer and its class', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.layerNormalization({ inputShape: [4, 4, 1], name: 'grow' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const x = tf.zeros([1, 4, 4, 1]);
    const error = await deepLift(model, x, { rule: 'rescale' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedLayerError);
    expect((error as Error).name).toBe('UnsupportedLayerError');
    expect((error as Error).message).toContain('"grow"');
    expect((error as Error).message).toContain('LayerNormalization');
    x.dispose();
    model.dispose();
  });

  it('rejects a softmax that is not the final activation', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [3], units: 3, activation: 'softmax', name: 'inner' }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const x = tf.zeros([1, 3]);
    await expect(deepLift(model, x, { rule: 'rescale' })).rejects.toThrow(/"inner".*softmax/);
    x.dispose();
    model.dispose();
  });

  it('MaxPooling2D gradient mode routes each window to the argmax of x; crossmax keeps Σ = Δt', async () => {
    // y = maxpool2x2(x) on a 2×2 input, then a Dense with weight 1 (linear).
    const model = tf.sequential({
      layers: [
        tf.layers.maxPooling2d({ inputShape: [2, 2, 1], poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones' }),
      ],
    });
    // x = [[1, 3], [2, 0]], x₀ = [[0, 0], [5, 0]]: max(x) = 3 at (0,1), max(x₀) = 5, Δy = −2.
    const x = tf.tensor4d([1, 3, 2, 0], [1, 2, 2, 1]);
    const x0 = tf.tensor4d([0, 0, 5, 0], [1, 2, 2, 1]);
    const g = await deepLift(model, x, { rule: 'rescale', target: 0, reference: x0 });
    // Gradient mode: multiplier 1 at the argmax of x, (0,1): C = 1·Δx = 3 there, 0 elsewhere.
    expect(Array.from(g.attributions, (v) => v + 0)).toEqual([0, 3, 0, 0]);
    expect(g.delta).toBe(-2);
    // Crossmax: m = Δy/ΣΔx = −2/(1 + 3 − 3 + 0) = −2 for every pixel: C = −2·Δx.
    const c = await deepLift(model, x, { rule: 'rescale', target: 0, reference: x0, maxPoolMode: 'crossmax' });
    expect(Array.from(c.attributions, (v) => v + 0)).toEqual([-2, -6, 6, 0]);
    expect(c.sum).toBeCloseTo(-2, 6);
    for (const t of [x, x0]) t.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('validates target, contrast and input shape', async () => {
    const model = smallConvNet(1);
    const x = tf.zeros([1, 8, 8, 2]);
    await expect(deepLift(model, x, { rule: 'rescale', target: 4 })).rejects.toThrow(RangeError);
    await expect(deepLift(model, x, { rule: 'rescale', target: 0, contrast: -1 })).rejects.toThrow(RangeError);
    const wrong = tf.zeros([1, 8, 8, 1]);
    await expect(deepLift(model, wrong, { rule: 'rescale' })).rejects.toThrow(/shape/);
    for (const t of [x, wrong]) t.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('leaves tf.memory().numTensors at its starting value', async () => {
    const before = tf.memory().numTensors;
    const model = mnistArchitecture(8);
    const afterModel = tf.memory().numTensors;
    const x = sparseInput([1, 28, 28, 1], 1);
    const x0 = sparseInput([1, 28, 28, 1], 2);
    for (const rule of RULES) {
      await deepLift(model, x, { rule, allClasses: true, reference: x0, contrast: 1, softmaxNormalize: true });
    }
    const withCache = tf.memory().numTensors;
    await deepLift(model, x, { rule: 'revealcancel' });
    expect(tf.memory().numTensors).toBe(withCache);
    releaseDeepLiftCache(model);
    expect(tf.memory().numTensors).toBe(afterModel + 2);
    for (const t of [x, x0]) t.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
