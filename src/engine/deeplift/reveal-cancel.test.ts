import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache } from './deeplift';
import { pseudocountNearZero } from './reveal-cancel';

/**
 * y = max(0, x₁ − x₂) followed by a linear output t = y (the paper's §3.5.3
 * style example of a nonlinearity whose inputs cancel), reference x₀ = (0, 0).
 */
function cancelNet(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 1, activation: 'relu', useBias: false }),
      tf.layers.dense({ units: 1, useBias: false }),
    ],
  });
  tf.tidy(() => {
    model.layers[0].setWeights([tf.tensor2d([[1], [-1]])]);
    model.layers[1].setWeights([tf.tensor2d([[1]])]);
  });
  return model;
}

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(baseline));

describe('RevealCancel on y = max(0, x₁ − x₂), worked by hand', () => {
  it('x = (3, 1): Rescale gives (3, −1), RevealCancel gives (2.5, −0.5)', async () => {
    // h = x₁ − x₂: Δh = 2, Δh⁺ = 3 (from x₁), Δh⁻ = −1 (from x₂), h₀ = 0, Δy = 2.
    // Rescale: m = Δy/Δh = 1, so C₁ = 1·1·3 = 3 and C₂ = 1·(−1)·1 = −1.
    // RevealCancel: Δy⁺ = ½[(f(3) − f(0)) + (f(−1 + 3) − f(−1))] = ½(3 + 2) = 2.5,
    //               Δy⁻ = ½[(f(−1) − f(0)) + (f(3 − 1) − f(3))] = ½(0 − 1) = −0.5,
    //   m⁺ = 2.5/3, m⁻ = −0.5/−1 = 0.5. x₁ (Δx > 0, w = 1 > 0) takes m⁺·w = 5/6: C₁ = 2.5;
    //   x₂ (Δx > 0, w = −1 < 0) takes m⁻·w = −0.5: C₂ = −0.5. Σ = 2 = Δy both ways.
    const model = cancelNet();
    const x = tf.tensor2d([[3, 1]]);
    const rescale = await deepLift(model, x, { rule: 'rescale', target: 0 });
    const reveal = await deepLift(model, x, { rule: 'revealcancel', target: 0 });
    expect(rescale.delta).toBe(2);
    expect(rescale.attributions[0]).toBeCloseTo(3, 6);
    expect(rescale.attributions[1]).toBeCloseTo(-1, 6);
    expect(reveal.attributions[0]).toBeCloseTo(2.5, 6);
    expect(reveal.attributions[1]).toBeCloseTo(-0.5, 6);
    expect(reveal.sum).toBeCloseTo(2, 6);
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('x = (1, 1): the inputs cancel; Rescale gives zeros, RevealCancel reveals ±0.5', async () => {
    // Δh = 0 so Rescale falls back to the gradient at the reference: h₀ = 0, [y₀ > 0] = 0 → C = (0, 0).
    // RevealCancel: Δh⁺ = 1, Δh⁻ = −1: Δy⁺ = ½[(f(1) − f(0)) + (f(0) − f(−1))] = 0.5,
    //   Δy⁻ = ½[(f(−1) − f(0)) + (f(0) − f(1))] = −0.5, m⁺ = 0.5, m⁻ = 0.5:
    //   C₁ = m⁺·1·1 = 0.5, C₂ = m⁻·(−1)·1 = −0.5; Σ = 0 = Δy.
    const model = cancelNet();
    const x = tf.tensor2d([[1, 1]]);
    const rescale = await deepLift(model, x, { rule: 'rescale', target: 0 });
    const reveal = await deepLift(model, x, { rule: 'revealcancel', target: 0 });
    expect(Array.from(rescale.attributions, (v) => v + 0)).toEqual([0, 0]);
    expect(reveal.attributions[0]).toBeCloseTo(0.5, 6);
    expect(reveal.attributions[1]).toBeCloseTo(-0.5, 6);
    expect(reveal.delta).toBe(0);
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });
});

describe('pseudocountNearZero (helper_functions.pseudocount_near_zero)', () => {
  it('pushes |t| < ½·10⁻⁷ away from zero, keeping the sign, and leaves larger values alone', () => {
    const t = tf.tensor1d([0, 1e-8, -1e-8, -0, 1e-7, -2e-7, 3]);
    const out = pseudocountNearZero(t);
    const v = Array.from(out.dataSync());
    expect(v[0]).toBeCloseTo(1e-7, 12);
    expect(v[1]).toBeCloseTo(1.1e-7, 12);
    expect(v[2]).toBeCloseTo(-1.1e-7, 12);
    expect(v[3]).toBeCloseTo(1e-7, 12); // −0 ≥ 0 counts as non-negative
    expect(v[4]).toBeCloseTo(1e-7, 12);
    expect(v[5]).toBeCloseTo(-2e-7, 12);
    expect(v[6]).toBe(3);
    t.dispose();
    out.dispose();
  });
});
