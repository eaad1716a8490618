import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianTaps } from './smooth';

describe('gaussianBlur', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has normalised, symmetric taps', () => {
    const taps = gaussianTaps(1.5);
    expect(taps.length).toBe(7);
    expect(taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(taps[0]).toBeCloseTo(taps[6], 7);
    expect(taps[3]).toBeGreaterThan(taps[2]);
  });

  it('spreads an impulse, keeps its sum away from borders, and keeps a constant interior', () => {
    const start = tf.memory().numTensors;
    const impulse = tf.tidy(() => tf.oneHot([24 * 11 + 12], 24 * 24).reshape([1, 24, 24, 1]).toFloat()) as tf.Tensor4D;
    const blurred = gaussianBlur(impulse, 1);
    const v = blurred.dataSync();
    expect(blurred.shape).toEqual([1, 24, 24, 1]);
    expect(Array.from(v).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(v[24 * 11 + 12]).toBeLessThan(0.5);
    expect(v[24 * 11 + 13]).toBeGreaterThan(0);
    const flat = tf.ones([1, 12, 12, 3]) as tf.Tensor4D;
    const fb = gaussianBlur(flat, 2);
    const centre = tf.tidy(() => fb.slice([0, 5, 5, 0], [1, 2, 2, 3]).dataSync());
    expect(centre.every((x) => Math.abs(x - 1) < 1e-5)).toBe(true);
    const same = gaussianBlur(flat, 0);
    expect(Array.from(same.dataSync())).toEqual(Array.from(flat.dataSync()));
    tf.dispose([impulse, blurred, flat, fb, same]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
