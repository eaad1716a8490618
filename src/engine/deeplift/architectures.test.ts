/**
 * Summation-to-delta (Σ C = Δt within 1e-4·max(1, |Δt|), float32) on
 * full-size MobileNetV2 (224×224×3) and InceptionV3 (299×299×3)
 * architectures with random weights, on the WASM backend (the CPU backend
 * would take minutes). InceptionV3 uses 'crossmax' max pooling: the
 * reference code's 'gradient' mode does not conserve Δt through max pooling
 * (max-pool.ts), crossmax does.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLiftBatch, releaseDeepLiftCache, type DeepLiftRule } from './deeplift';
import { inceptionV3, mobileNetV2 } from './testing/architectures';

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('wasm');
  baseline = tf.memory().numTensors;
});
afterAll(async () => {
  expect(tf.memory().numTensors).toBe(baseline);
  await tf.setBackend('cpu');
});

function photoLike(size: number, seed: number): tf.Tensor {
  // A smooth image in −1..1 ('tf' scaling) plus noise: not a constant, not white noise.
  return tf.tidy(() => {
    const ramp = tf.linspace(-1, 1, size);
    const img = tf.stack([
      tf.outerProduct(ramp, tf.ones([size])), tf.outerProduct(tf.ones([size]), ramp), tf.outerProduct(ramp, ramp),
    ], 2);
    return tf.clipByValue(tf.add(img, tf.randomNormal([size, size, 3], 0, 0.2, 'float32', seed)), -1, 1).expandDims(0);
  });
}

function expectSummation(sum: number, delta: number): void {
  expect(Math.abs(sum - delta)).toBeLessThan(1e-4 * Math.max(1, Math.abs(delta)));
}

describe('Σ C = Δt on full-size architectures (WASM, float32)', () => {
  it('MobileNetV2 224×224×3: Rescale and RevealCancel, predicted class, top-3 and a contrast, black and grey references', async () => {
    const model = mobileNetV2(224, 1000, 7);
    const x = photoLike(224, 3);
    const grey = tf.zerosLike(x);
    const black = tf.fill(x.shape, -1);
    for (const rule of ['rescale', 'revealcancel'] as DeepLiftRule[]) {
      const [r] = await deepLiftBatch(model, x, { rule, topK: 3, reference: black });
      expectSummation(r.sum, r.delta);
      for (const t of r.top!) expectSummation(t.sum, t.delta);
      expect(Math.abs(r.delta)).toBeGreaterThan(1e-3);
      const [c] = await deepLiftBatch(model, x, { rule, target: r.top![1].classIndex, contrast: r.top![2].classIndex, reference: grey });
      expectSummation(c.sum, c.delta);
    }
    for (const t of [x, grey, black]) t.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  }, 120_000);

  it('InceptionV3 299×299×3: Rescale, crossmax max pooling', async () => {
    const model = inceptionV3(299, 1000, 8);
    const x = photoLike(299, 4);
    const [r] = await deepLiftBatch(model, x, { rule: 'rescale', maxPoolMode: 'crossmax' });
    expectSummation(r.sum, r.delta);
    expect(Math.abs(r.delta)).toBeGreaterThan(1e-3);
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  }, 180_000);
});
