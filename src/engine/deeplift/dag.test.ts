/**
 * DeepLIFT on functional (DAG) models with every supported layer, checked
 * pixel by pixel against the naive float64 transcription of the reference
 * code (testing/naive-graph.ts): both rules, every class, contrast,
 * non-black references, batches with top-k in one pass.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLift, deepLiftBatch, releaseDeepLiftCache, UnsupportedLayerError, type DeepLiftRule } from './deeplift';
import { naiveGraphDeepLift, toNaiveGraph } from './testing/naive-graph';
import { branchNet, residualNet } from './testing/dag-fixtures';

const RULES: DeepLiftRule[] = ['rescale', 'revealcancel'];

/**
 * Pixel tolerance relative to max(1, max|naive|). RevealCancel's is looser
 * for a float32 reason the reference code shares: where a unit's Δx⁺ (or
 * Δx⁻) is exactly 0 the pseudocount makes P = 10⁻⁷ and Δy⁺ contains
 * f(x₀ + P) − f(x₀), which float32 rounds to a few ulps of x₀ (~6·10⁻⁸ at
 * x₀ ≈ 1), so the factor Δy⁺/P is only good to tens of percent there; that
 * multiplier then flows back to the inputs. Measured: ≤ 8·10⁻⁴ on these nets.
 */
const TOLERANCE: Record<DeepLiftRule, number> = { rescale: 1e-4, revealcancel: 2e-3 };

function sparseInput(shape: number[], seed: number): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.randomUniform(shape, 0, 1, 'float32', seed);
    return tf.where(tf.less(u, 0.3), tf.zerosLike(u), u);
  });
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / Math.max(1, maxAbs(b));
}

const row = (k: number, j: number | null, n: number) =>
  Float64Array.from({ length: n }, (_, i) => (i === k ? 1 : 0) - (i === j ? 1 : 0));

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(baseline);
});

const NETS = [
  { name: 'residual (MobileNet/ResNet style)', build: residualNet, shape: [9, 9, 3], classes: 5 },
  { name: 'branches (Inception style)', build: branchNet, shape: [8, 8, 2], classes: 4 },
];

describe('DeepLIFT on DAG models against the float64 transcription', () => {
  for (const net of NETS) {
    for (const rule of RULES) {
      it(`${net.name}, ${rule}: every class map, a contrast and a non-black reference match pixel by pixel`, async () => {
        const before = tf.memory().numTensors;
        const model = net.build(3);
        const graph = toNaiveGraph(model);
        const x = sparseInput([1, ...net.shape], 21);
        const x0 = sparseInput([1, ...net.shape], 22);
        const xs = Float64Array.from(x.dataSync());
        const x0s = Float64Array.from(x0.dataSync());
        const all = await deepLift(model, x, { rule, reference: x0, allClasses: true });
        for (let c = 0; c < net.classes; c++) {
          const naive = naiveGraphDeepLift(graph, xs, x0s, row(c, null, net.classes), rule);
          expect(relError(all.classMaps![c], naive.contribs)).toBeLessThan(TOLERANCE[rule]);
          expect(relError(all.logits, naive.logits)).toBeLessThan(1e-4);
          expect(relError(all.referenceLogits, naive.refLogits)).toBeLessThan(1e-4);
        }
        // Not trivially zero: the maps carry signal well above the tolerance.
        expect(Math.max(...all.classMaps!.map(maxAbs))).toBeGreaterThan(2e-4);
        const contrast = await deepLift(model, x, { rule, reference: x0, target: 1, contrast: 2 });
        const naive = naiveGraphDeepLift(graph, xs, x0s, row(1, 2, net.classes), rule);
        expect(relError(contrast.attributions, naive.contribs)).toBeLessThan(TOLERANCE[rule]);
        // The model's own forward pass agrees with the explained logits (final softmax dropped).
        const predicted = model.predict(x) as tf.Tensor;
        const p = predicted.dataSync();
        all.probabilities.forEach((v, i) => expect(Math.abs(v - p[i])).toBeLessThan(1e-5));
        for (const t of [x, x0, predicted]) t.dispose();
        releaseDeepLiftCache(model);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('a black reference under Rescale: Σ C = Δt on the residual net (no max pooling)', async () => {
    const model = residualNet(8);
    const x = sparseInput([1, 9, 9, 3], 31);
    const r = await deepLift(model, x, { rule: 'rescale' });
    expect(Math.abs(r.sum - r.delta)).toBeLessThan(1e-4 * Math.max(1, Math.abs(r.delta)));
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });
});

describe('batches', () => {
  for (const rule of RULES) {
    it(`${rule}: a batch of 3 with top-2 maps in one pass equals per-image naive results`, async () => {
      const model = branchNet(5);
      const graph = toNaiveGraph(model);
      const x = sparseInput([3, 8, 8, 2], 41);
      const x0 = sparseInput([1, 8, 8, 2], 42);
      const results = await deepLiftBatch(model, x, { rule, reference: x0, topK: 2, contrast: null });
      expect(results).toHaveLength(3);
      const x0s = Float64Array.from(x0.dataSync());
      const all = x.dataSync();
      const size = 8 * 8 * 2;
      results.forEach((r, n) => {
        const xs = Float64Array.from(all.subarray(n * size, (n + 1) * size));
        const logits = naiveGraphDeepLift(graph, xs, x0s, row(0, null, 4), rule).logits;
        const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
        expect(r.target).toBe(order[0]);
        expect(r.top!.map((t) => t.classIndex)).toEqual(order.slice(0, 2));
        const main = naiveGraphDeepLift(graph, xs, x0s, row(order[0], null, 4), rule);
        expect(relError(r.attributions, main.contribs)).toBeLessThan(TOLERANCE[rule]);
        r.top!.forEach((t) => {
          const naive = naiveGraphDeepLift(graph, xs, x0s, row(t.classIndex, null, 4), rule);
          expect(relError(t.attributions, naive.contribs)).toBeLessThan(TOLERANCE[rule]);
          expect(Math.abs(t.delta - (naive.logits[t.classIndex] - naive.refLogits[t.classIndex]))).toBeLessThan(1e-4);
        });
      });
      // Image 2 alone gives what the batch gave it.
      const single = tf.slice(x, [2, 0, 0, 0], [1, 8, 8, 2]);
      const alone = await deepLift(model, single, { rule, reference: x0 });
      expect(relError(alone.attributions, results[2].attributions)).toBeLessThan(1e-5);
      for (const t of [x, x0, single]) t.dispose();
      releaseDeepLiftCache(model);
      model.dispose();
    });
  }
});

describe('batches with all classes', () => {
  it('N = 2 with allClasses, a contrast and softmax normalisation equals each image alone', async () => {
    const model = residualNet(16);
    const x = sparseInput([2, 9, 9, 3], 71);
    const x0 = sparseInput([2, 9, 9, 3], 72);
    for (const rule of RULES) {
      const options = { rule, contrast: 1, softmaxNormalize: true, allClasses: true } as const;
      const both = await deepLiftBatch(model, x, { ...options, reference: x0 });
      for (let i = 0; i < 2; i++) {
        const xi = tf.slice(x, [i, 0, 0, 0], [1, 9, 9, 3]);
        const x0i = tf.slice(x0, [i, 0, 0, 0], [1, 9, 9, 3]);
        const alone = await deepLift(model, xi, { ...options, reference: x0i });
        expect(relError(both[i].attributions, alone.attributions)).toBeLessThan(1e-5);
        expect(relError(both[i].classMaps![3], alone.classMaps![3])).toBeLessThan(1e-5);
        expect(both[i].delta).toBeCloseTo(alone.delta, 5);
        // The main map (t − contrast) is the difference of the two class maps.
        const diff = both[i].classMaps![both[i].target].map((v, j) => v - both[i].classMaps![1][j]);
        expect(relError(both[i].attributions, diff)).toBeLessThan(1e-5);
        xi.dispose();
        x0i.dispose();
      }
    }
    for (const t of [x, x0]) t.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });
});

describe('backends', () => {
  it('max pooling routes to the first maximum of each window on CPU and WASM (ties)', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const { MaxPoolNode } = await import('./max-pool');
    const valid = new MaxPoolNode('p', 'MaxPooling2D', [0], [2, 2, 1], [3, 3, 1], [2, 2], [1, 1], 'valid');
    const same = new MaxPoolNode('q', 'MaxPooling2D', [0], [2, 2, 1], [3, 3, 1], [3, 3], [2, 2], 'same');
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.tensor4d([0, 0, 0, 0, 1, 1, 0, 1, 1], [1, 3, 3, 1]);
      const m = tf.tensor4d([1, 10, 100, 1000], [1, 2, 2, 1]);
      const a = tf.tidy(() => valid.route(x, m));
      const b = tf.tidy(() => same.route(x, m));
      // Every window's first maximum is the centre 1 (row-major order), for both geometries.
      expect(Array.from(a.dataSync())).toEqual([0, 0, 0, 0, 1111, 0, 0, 0, 0]);
      expect(Array.from(b.dataSync())).toEqual([0, 0, 0, 0, 1111, 0, 0, 0, 0]);
      for (const t of [x, m, a, b]) t.dispose();
    }
    await tf.setBackend('cpu');
  });

  it('WASM gives the CPU numbers on both DAG nets and both rules (every op has a WASM kernel)', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    for (const net of NETS) {
      for (const rule of RULES) {
        const model = net.build(4);
        const x = sparseInput([2, ...net.shape], 51);
        const cpu = await deepLiftBatch(model, x, { rule, topK: 2 });
        const values = x.dataSync().slice();
        releaseDeepLiftCache(model);
        x.dispose();
        await tf.setBackend('wasm');
        const xw = tf.tensor(values, [2, ...net.shape]);
        const wasm = await deepLiftBatch(model, xw, { rule, topK: 2 });
        xw.dispose();
        releaseDeepLiftCache(model);
        await tf.setBackend('cpu');
        cpu.forEach((r, i) => {
          expect(relError(wasm[i].attributions, r.attributions)).toBeLessThan(TOLERANCE[rule]);
          expect(relError(wasm[i].top![1].attributions, r.top![1].attributions)).toBeLessThan(TOLERANCE[rule]);
        });
        model.dispose();
      }
    }
  });
});

describe('nested models', () => {
  it('a Sequential([base model, pooling, head]) explains like the same layers wired flat', async () => {
    const base = residualNet(14);
    // The base without its two Dense layers, as a model of its own (shares the layers and weights).
    const trunk = tf.model({ inputs: base.inputs, outputs: base.layers[base.layers.length - 3].output as tf.SymbolicTensor });
    const head = tf.layers.dense({ units: 3, activation: 'softmax' });
    const nested = tf.sequential({ layers: [trunk, head] });
    seedWeightsOf(head, 15);
    const flat = tf.model({ inputs: base.inputs, outputs: head.apply(trunk.outputs[0]) as tf.SymbolicTensor });
    const x = sparseInput([1, 9, 9, 3], 61);
    for (const rule of RULES) {
      const a = await deepLift(nested, x, { rule, allClasses: true });
      const b = await deepLift(flat, x, { rule, allClasses: true });
      expect(relError(a.attributions, b.attributions)).toBeLessThan(1e-6);
      expect(relError(a.classMaps![2], b.classMaps![2])).toBeLessThan(1e-6);
      expect(Math.abs(a.sum - a.delta)).toBeLessThan(1e-4 * Math.max(1, Math.abs(a.delta)));
    }
    x.dispose();
    for (const m of [nested, flat, base]) releaseDeepLiftCache(m);
    base.dispose();
    for (const w of head.weights) w.dispose();
  });
});

function seedWeightsOf(layer: tf.layers.Layer, seed: number): void {
  const values = layer.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', seed + i));
  layer.setWeights(values);
  for (const v of values) v.dispose();
}

describe('unsupported layers', () => {
  it('Multiply names the layer and its class', async () => {
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const m = tf.layers.multiply({ name: 'gate' }).apply([a, b]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(m) as tf.SymbolicTensor });
    const x = tf.ones([1, 4]);
    const error = await deepLift(model, x, { rule: 'rescale' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedLayerError);
    expect((error as Error).message).toContain('"gate" (Multiply)');
    x.dispose();
    model.dispose();
  });
});
