/**
 * Tiny models and helpers for the attribution tests: hand-set weights whose
 * answers can be worked out on paper, seeded random nets, the committed
 * MNIST model, and a reference gradient from tfjs' own autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomizeWeights } from '../../deeplift/testing/model-fixtures';
import { fileSystemIO } from '../../models/fs-io';

export const MNIST_MODEL_JSON = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)), '../../../../public/models/mnist/model.json');

export function loadMnistModel(): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileSystemIO(MNIST_MODEL_JSON));
}

/** Dense 4 → 5 (relu) → 3 (linear logits), seeded. */
export function tinyReluNet(seed: number): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu' }),
      tf.layers.dense({ units: 3 }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

/** Dense 4 → 5 (tanh) → 3 (softmax): no ReLU anywhere. */
export function tinyTanhNet(seed: number): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'tanh' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

/**
 * h = relu(x) (identity weights), t₀ = −h₀, t₁ = 2·h₁: at x = (½, ½) the
 * gradient of t₀ is (−1, 0) but guided backprop stops the negative signal
 * (0, 0); for t₁ both are (0, 2).
 */
export function signedReluNet(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 2, activation: 'relu' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
  const w = [tf.tensor2d([[1, 0], [0, 1]]), tf.zeros([2]), tf.tensor2d([[-1, 0], [0, 2]]), tf.zeros([2])];
  model.setWeights(w);
  for (const t of w) t.dispose();
  return model;
}

/**
 * ∂t_k/∂x at `x` ([1, ...shape]) by tfjs autodiff through `model.apply`
 * (CPU backend), with a final softmax, if any, undone by using its input:
 * the model must end in a layer whose activation we can switch off, so this
 * is only called on models whose last layer is linear.
 */
export async function autodiffGradient(model: tf.LayersModel, x: tf.Tensor, k: number): Promise<Float32Array> {
  const g = tf.grad((z: tf.Tensor) => tf.sum(tf.slice(model.apply(z) as tf.Tensor, [0, k], [1, 1])))(x);
  const data = (await g.data()) as Float32Array;
  g.dispose();
  return data;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Seeded input in [0, 1], [1, ...shape]. */
export function randomInput(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform([1, ...shape], 0, 1, 'float32', seed);
}

/** Runs the calling test file on the CPU backend and checks that it leaves no tensor behind. */
export function onCpuLeavingNoTensors(): void {
  let baseline = 0;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    baseline = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(baseline);
  });
}
