import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { erasedVariants, erasureOrder, logOddsCurve, MAX_ERASED_PIXELS } from './masking';
import { releaseLogitsFunction } from './logits-function';
import { loadMnistModel, onCpuLeavingNoTensors } from './testing/fixtures';

onCpuLeavingNoTensors();

describe('masking', () => {
  it('orders only positive scores, best first, at most max', () => {
    expect(Array.from(erasureOrder([0.5, -1, 2, 0, 0.5, Number.NaN, 3], 10))).toEqual([6, 2, 0, 4]);
    expect(Array.from(erasureOrder([0.5, -1, 2, 0, 0.5, 3], 2))).toEqual([5, 2]);
    expect(erasureOrder([-1, 0]).length).toBe(0);
  });

  it('removes exactly the requested number of pixels, only setting them to the reference value', () => {
    const n = 784;
    const pixels = Float32Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 100 + 0.01);
    const reference = Float32Array.from({ length: n }, (_, i) => (i % 3) * 0.001);
    const scores = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7));
    const order = erasureOrder(scores);
    expect(order.length).toBe(MAX_ERASED_PIXELS);
    const variants = erasedVariants(pixels, reference, order);
    expect(variants.length).toBe((MAX_ERASED_PIXELS + 1) * n);
    for (const k of [0, 1, 20, 157]) {
      const row = variants.subarray(k * n, (k + 1) * n);
      const changed: number[] = [];
      for (let i = 0; i < n; i++) {
        if (row[i] !== pixels[i]) {
          changed.push(i);
          expect(row[i]).toBe(reference[i]);
        }
      }
      expect(changed.length).toBe(k);
      expect(new Set(changed)).toEqual(new Set(Array.from(order.subarray(0, k))));
    }
  });

  it('stops erasing when fewer pixels have a positive score', () => {
    const pixels = new Float32Array([1, 1, 1, 1]);
    const variants = erasedVariants(pixels, new Float32Array(4), erasureOrder([1, -1, 2, -3]), 3);
    expect(Array.from(variants)).toEqual([1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('measures the change in log-odds in one batched forward on the MNIST model', async () => {
    const model = await loadMnistModel();
    const pixels = Float32Array.from({ length: 784 }, (_, i) => ((i * 13) % 17) / 16);
    const reference = new Float32Array(784);
    const order = Int32Array.from({ length: 40 }, (_, i) => i * 19);
    const { logOdds, change } = await logOddsCurve(model, pixels, reference, [28, 28, 1], order, 8, 3, 40);
    expect(logOdds.length).toBe(41);
    expect(change[0]).toBe(0);
    // Row 40 equals a single forward of the fully erased image.
    const erased = pixels.slice();
    for (const p of order) erased[p] = 0;
    const lo = tf.tidy(() => {
      const probs = model.predict(tf.tensor(erased, [1, 28, 28, 1])) as tf.Tensor;
      return tf.sub(tf.log(tf.slice(probs, [0, 8], [1, 1])), tf.log(tf.slice(probs, [0, 3], [1, 1])));
    });
    const expected = (await lo.data())[0];
    lo.dispose();
    expect(logOdds[40]).toBeCloseTo(expected, 3);
    expect(change[40]).toBeCloseTo(logOdds[0] - expected, 3);
    releaseLogitsFunction(model);
    model.dispose();
  });
});
