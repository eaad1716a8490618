import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGradientFn } from './dream';
import { createRng } from './jitter';
import { standInDreamModel } from './stand-in-model';
import { tiledGradient, tileSpans } from './tiles';
import type { DreamModel } from '../models/dream-model';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('tiledGradient', () => {
  let conv: DreamModel;
  let pointwise: DreamModel;
  let start = 0;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    start = tf.memory().numTensors;
    conv = standInDreamModel();
    pointwise = standInDreamModel({ pointwise: true });
  });

  afterAll(() => {
    conv.dispose();
    pointwise.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('splits lengths into near-equal tiles no longer than the tile size', () => {
    expect(tileSpans(100, 512)).toEqual([100]);
    expect(tileSpans(1030, 512)).toEqual([344, 343, 343]);
    expect(tileSpans(1024, 512)).toEqual([512, 512]);
  });

  it('equals the untiled gradient when the image fits one tile', () => {
    const before = tf.memory().numTensors;
    const grad = makeGradientFn(conv, { layers: [{ name: 'mixed1', weight: 1 }], channel: null, objective: 'l2' });
    const x = tf.randomUniform([1, 20, 24, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const plain = grad(x);
    const tiled = tiledGradient(x, grad, 32, createRng(1));
    expect(maxAbsDiff(plain.grad, tiled.grad)).toBe(0);
    expect(tiled.value.dataSync()[0]).toBe(plain.value.dataSync()[0]);
    tf.dispose([x, plain.grad, plain.value, tiled.grad, tiled.value]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('equals the untiled gradient across many tiles for a model without spatial context', () => {
    const before = tf.memory().numTensors;
    const grad = makeGradientFn(pointwise, { layers: [{ name: 'mixed1', weight: 1 }], channel: null, objective: 'l2' });
    const x = tf.randomUniform([1, 37, 50, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const plain = grad(x);
    const tiled = tiledGradient(x, grad, 16, createRng(5)); // 3 × 4 tiles, randomly shifted
    const scale = tf.tidy(() => tf.max(tf.abs(plain.grad)).dataSync()[0]);
    expect(scale).toBeGreaterThan(0);
    expect(maxAbsDiff(plain.grad, tiled.grad)).toBeLessThan(1e-5 * scale);
    expect(tiled.value.dataSync()[0]).toBeCloseTo(plain.value.dataSync()[0], 5);
    tf.dispose([x, plain.grad, plain.value, tiled.grad, tiled.value]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
