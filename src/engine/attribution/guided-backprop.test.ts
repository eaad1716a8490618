import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gradientSaliency } from './gradient';
import { guidedBackprop } from './guided-backprop';
import { releaseLogitsFunction } from './logits-function';
import { loadMnistModel, maxAbs, maxAbsDiff, onCpuLeavingNoTensors, randomInput, signedReluNet, tinyTanhNet } from './testing/fixtures';
import { seededGradients, seedRows } from './attribution';

onCpuLeavingNoTensors();

/** Signed gradient of logit k through our logits function. */
async function signedGradient(model: tf.LayersModel, x: tf.Tensor, k: number, numClasses: number): Promise<Float32Array> {
  const seeds = seedRows(numClasses, [[[k, 1]]]);
  const { gradients, logits } = seededGradients(model, x, seeds);
  const data = (await gradients.data()) as Float32Array;
  for (const t of [seeds, gradients, logits]) t.dispose();
  return data;
}

describe('guided backprop', () => {
  it('equals the plain gradient on a net without ReLUs', async () => {
    const model = tinyTanhNet(9);
    const x = randomInput([4], 3);
    for (const k of [0, 1, 2]) {
      const gb = await guidedBackprop(model, x, { target: k });
      const g = await signedGradient(model, x, k, 3);
      expect(maxAbs(g)).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(gb.attributions, g)).toBeLessThan(1e-6);
    }
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('stops negative backward signals at a ReLU (worked example)', async () => {
    const model = signedReluNet();
    const x = tf.tensor2d([[0.5, 0.5]]);
    // t₀ = −relu(x₀): the gradient is (−1, 0), guided backprop (0, 0).
    expect(Array.from(await signedGradient(model, x, 0, 2))).toEqual([-1, 0]);
    expect(Array.from((await guidedBackprop(model, x, { target: 0 })).attributions)).toEqual([0, 0]);
    // t₁ = 2·relu(x₁): positive signal passes, (0, 2) for both.
    expect(Array.from((await guidedBackprop(model, x, { target: 1 })).attributions)).toEqual([0, 2]);
    // Saliency keeps the magnitude of the blocked signal.
    expect(Array.from((await gradientSaliency(model, x, { target: 0 })).attributions)).toEqual([1, 0]);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('on the MNIST model differs from the gradient and is reported without Δt', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 8);
    const gb = await guidedBackprop(model, x, { target: 5, contrast: 2 });
    const g = await signedGradient(model, x, 5, 10);
    expect(gb.contrast).toBe(2);
    expect(gb.delta).toBeNull();
    expect(maxAbsDiff(gb.attributions, g)).toBeGreaterThan(1e-4);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });
});
