import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dreamObjective, visualizationObjective } from './objective';

describe('dreamObjective', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes mean, l2, one channel and weighted mixes', () => {
    const start = tf.memory().numTensors;
    // [1, 1, 2, 2]: pixels (1, -3) and (2, 5); channel 0 = [1, 2], channel 1 = [-3, 5]
    const a = tf.tensor4d([1, -3, 2, 5], [1, 1, 2, 2]);
    const b = tf.tensor4d([4], [1, 1, 1, 1]);
    const v = (t: tf.Scalar) => {
      const x = t.dataSync()[0];
      t.dispose();
      return x;
    };
    expect(v(dreamObjective([a], [1], null, 'mean'))).toBeCloseTo(5 / 4);
    expect(v(dreamObjective([a], [1], null, 'l2'))).toBeCloseTo((1 + 9 + 4 + 25) / 4);
    expect(v(dreamObjective([a], [1], 1, 'mean'))).toBeCloseTo(1);
    expect(v(dreamObjective([a], [1], 0, 'l2'))).toBeCloseTo(2.5);
    expect(v(dreamObjective([a, b], [2, 0.5], null, 'mean'))).toBeCloseTo(2 * 1.25 + 0.5 * 4);
    expect(() => dreamObjective([a, b], [1], null, 'mean')).toThrow(RangeError);
    // Per-layer filters: channel 1 of a (mean 1) and the whole of b (4); the same layer twice with two filters.
    expect(v(dreamObjective([a, b], [2, 0.5], [1, null], 'mean'))).toBeCloseTo(2 * 1 + 0.5 * 4);
    expect(v(dreamObjective([a, a], [0.25, 0.75], [0, 1], 'l2'))).toBeCloseTo(0.25 * 2.5 + 0.75 * 17);
    expect(() => dreamObjective([a, b], [1, 1], [0], 'mean')).toThrow(RangeError);
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('is differentiable: d mean / d a = 1/n', () => {
    const start = tf.memory().numTensors;
    const a = tf.tensor4d([1, -3, 2, 5], [1, 1, 2, 2]);
    const g = tf.grad((x: tf.Tensor) => dreamObjective([x], [1], null, 'mean'))(a);
    expect(Array.from(g.dataSync())).toEqual([0.25, 0.25, 0.25, 0.25]);
    tf.dispose([a, g]);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('visualizationObjective', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('channel mean, centre neuron, whole-layer mean square and negative channel', () => {
    const start = tf.memory().numTensors;
    // [1, 3, 3, 2]: channel 0 = 0..8 (row-major), channel 1 = 10·(0..8)
    const values = Array.from({ length: 9 }, (_, i) => [i, 10 * i]).flat();
    const a = tf.tensor4d(values, [1, 3, 3, 2]);
    const v = (t: tf.Scalar): number => {
      const x = t.dataSync()[0];
      t.dispose();
      return x;
    };
    expect(v(visualizationObjective(a, 'channel', 1))).toBeCloseTo(40);
    expect(v(visualizationObjective(a, 'neuron', 0))).toBeCloseTo(4); // centre (1, 1) → index 4
    expect(v(visualizationObjective(a, 'negative', 0))).toBeCloseTo(-4);
    // Σ i² for i = 0..8 is 204; channel 1 gives 100·204; mean over 18 values
    expect(v(visualizationObjective(a, 'layer', 0))).toBeCloseTo((204 + 20400) / 18, 2);
    a.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
