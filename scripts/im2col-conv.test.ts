import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convOutputSize, im2colConv2d } from './im2col-conv';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Max |a − b| over two tensors of the same shape. */
function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('im2colConv2d', () => {
  // The two layer shapes of the DeepLIFT MNIST model, plus an odd, non-square input.
  const cases: Array<{ input: [number, number, number, number]; filters: number }> = [
    { input: [3, 28, 28, 1], filters: 32 },
    { input: [3, 13, 13, 32], filters: 64 },
    { input: [2, 9, 12, 3], filters: 5 },
  ];

  for (const { input, filters } of cases) {
    it(`equals tf.conv2d stride 2 'valid' for input ${input.join('×')} → ${filters} filters`, () => {
      const before = tf.memory().numTensors;
      const x = tf.randomUniform(input, 0, 1, 'float32', 1) as tf.Tensor4D;
      const kernel = tf.randomNormal([4, 4, input[3], filters], 0, 0.3, 'float32', 2) as tf.Tensor4D;
      const bias = tf.randomNormal([filters], 0, 0.3, 'float32', 3) as tf.Tensor1D;
      const ours = im2colConv2d(x, kernel, bias);
      const reference = tf.tidy(() => tf.add(tf.conv2d(x, kernel, 2, 'valid'), bias));
      expect(ours.shape).toEqual(reference.shape);
      expect(ours.shape).toEqual([input[0], convOutputSize(input[1]), convOutputSize(input[2]), filters]);
      expect(maxAbsDiff(ours, reference)).toBeLessThan(1e-4);
      tf.dispose([x, kernel, bias, ours, reference]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('has the same gradients as tf.conv2d with respect to input and kernel', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 13, 13, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    const kernel = tf.randomNormal([4, 4, 4, 6], 0, 0.3, 'float32', 5) as tf.Tensor4D;
    const weights = tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 6);
    const objective = (conv: (a: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor) =>
      (a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, k as tf.Tensor4D), weights));
    const [ourDx, ourDk] = tf.grads(objective((a, k) => im2colConv2d(a, k)))([x, kernel]);
    const [refDx, refDk] = tf.grads(objective((a, k) => tf.conv2d(a, k, 2, 'valid')))([x, kernel]);
    expect(maxAbsDiff(ourDx!, refDx!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(ourDk!, refDk!)).toBeLessThan(1e-3);
    expect(tf.tidy(() => tf.max(tf.abs(refDk!)).dataSync()[0]!)).toBeGreaterThan(0.1);
    tf.dispose([x, kernel, weights, ourDx!, ourDk!, refDx!, refDk!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a kernel that does not fit', () => {
    const x = tf.zeros([1, 28, 28, 2]) as tf.Tensor4D;
    const kernel = tf.zeros([4, 4, 1, 8]) as tf.Tensor4D;
    expect(() => im2colConv2d(x, kernel)).toThrow(/does not fit/);
    tf.dispose([x, kernel]);
  });
});
