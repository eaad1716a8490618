import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache } from './deeplift';

/** t = f(w·x + b) → linear output; weights set by hand. */
function oneUnit(activation: 'relu' | 'sigmoid' | 'tanh', w: number[], b: number): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [w.length], units: 1, activation }),
      tf.layers.dense({ units: 1, useBias: false }),
    ],
  });
  tf.tidy(() => {
    model.layers[0].setWeights([tf.tensor2d(w.map((v) => [v])), tf.tensor1d([b])]);
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

describe('Rescale through one nonlinearity', () => {
  it('ReLU: m = Δy/Δh exactly, contributions w·Δx·m', async () => {
    // h = 2x₁ − x₂ − 1. x = (1.5, 0.5): h = 1.5, y = 1.5; x₀ = (0.25, 1): h₀ = −1.5, y₀ = 0.
    // Δh = 3, Δy = 1.5, m = 0.5: C₁ = 0.5·2·1.25 = 1.25, C₂ = 0.5·(−1)·(−0.5) = 0.25; Σ = 1.5 = Δy.
    const model = oneUnit('relu', [2, -1], -1);
    const x = tf.tensor2d([[1.5, 0.5]]);
    const x0 = tf.tensor2d([[0.25, 1]]);
    const r = await deepLift(model, x, { rule: 'rescale', target: 0, reference: x0 });
    expect(Array.from(r.attributions)).toEqual([1.25, 0.25]);
    expect(r.delta).toBe(1.5);
    expect(r.sum).toBe(1.5);
    for (const t of [x, x0]) t.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('sigmoid: m = (σ(h) − σ(h₀))/(h − h₀)', async () => {
    const model = oneUnit('sigmoid', [1, 1], 0);
    const x = tf.tensor2d([[1, 2]]);
    const r = await deepLift(model, x, { rule: 'rescale', target: 0 });
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const m = (sig(3) - sig(0)) / 3;
    expect(r.attributions[0]).toBeCloseTo(m * 1, 6);
    expect(r.attributions[1]).toBeCloseTo(m * 2, 6);
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it("falls back to the reference code's gradient when Δh = 0: f′ applied to y₀ = f(h₀)", async () => {
    // h = x₁ − x₂ + 0.3 with x = (1, 1), x₀ = (0, 0): Δh = 0, h₀ = 0.3.
    // The reference code evaluates Sigmoid._get_gradient_at_activation at the layer's
    // reference *output* y₀ = σ(0.3), which re-applies σ: m = s(1 − s), s = σ(σ(0.3)).
    // So C₁ = m·1·1 and C₂ = m·(−1)·1, Σ = 0 = Δy.
    const model = oneUnit('sigmoid', [1, -1], 0.3);
    const x = tf.tensor2d([[1, 1]]);
    const r = await deepLift(model, x, { rule: 'rescale', target: 0 });
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const s = sig(sig(0.3));
    expect(r.attributions[0]).toBeCloseTo(s * (1 - s), 6);
    expect(r.attributions[1]).toBeCloseTo(-s * (1 - s), 6);
    // The same for ReLU: h₀ = 0.3 > 0 → gradient 1; with bias −0.3 → gradient 0.
    const relu = oneUnit('relu', [1, -1], 0.3);
    const a = await deepLift(relu, x, { rule: 'rescale', target: 0 });
    expect(Array.from(a.attributions)).toEqual([1, -1]);
    const dead = oneUnit('relu', [1, -1], -0.3);
    const b = await deepLift(dead, x, { rule: 'rescale', target: 0 });
    expect(Array.from(b.attributions, (v) => v + 0)).toEqual([0, 0]);
    x.dispose();
    for (const mdl of [model, relu, dead]) {
      releaseDeepLiftCache(mdl);
      mdl.dispose();
    }
  });
});
