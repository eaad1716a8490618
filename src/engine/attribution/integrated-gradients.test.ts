import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { integratedGradients } from './integrated-gradients';
import { releaseLogitsFunction } from './logits-function';
import { loadMnistModel, onCpuLeavingNoTensors, randomInput, tinyReluNet } from './testing/fixtures';

onCpuLeavingNoTensors();

describe('integrated gradients', () => {
  it('on a linear net is exact with one step: (x − x₀)·w', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    const w = [tf.tensor2d([[1, -2], [3, 0.5], [-1, 4]]), tf.tensor1d([0.3, -0.1])];
    model.setWeights(w);
    const x = tf.tensor2d([[1, 2, 3]]);
    const x0 = tf.tensor2d([[0.5, 0.5, 0.5]]);
    const r = await integratedGradients(model, x, { target: 0, reference: x0, steps: 1 });
    expect(Array.from(r.attributions)).toEqual([0.5, 4.5, -2.5]);
    expect(r.delta).toBeCloseTo(2.5, 5);
    expect(r.completenessError).toBeLessThan(1e-5);
    for (const t of [...w, x, x0]) t.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('converges to Σ = Δt on the MNIST model as steps grow (a drawn digit, 8 rather than 3)', async () => {
    const model = await loadMnistModel();
    // A plain stroke "1" with a top bar: a digit-like input whose Δt is large enough for a relative bound.
    const pixels = new Float32Array(784);
    for (let y = 5; y < 23; y++) for (let c = 12; c < 16; c++) pixels[y * 28 + c] = 1;
    for (let c = 8; c < 20; c++) pixels[6 * 28 + c] = 1;
    const x = tf.tensor(pixels, [1, 28, 28, 1]);
    const errors: number[] = [];
    let delta = 0;
    for (const steps of [2, 20, 200]) {
      const r = await integratedGradients(model, x, { target: 8, contrast: 3, steps });
      errors.push(r.completenessError as number);
      delta = r.delta as number;
      expect(Math.abs(r.sum - delta)).toBeCloseTo(r.completenessError as number, 5);
    }
    expect(Math.abs(delta)).toBeGreaterThan(0.5);
    expect(errors[1]).toBeLessThan(errors[0]);
    expect(errors[2]).toBeLessThan(errors[1]);
    // Sundararajan et al. §5: enough steps bring Σ within 5 % of Δt.
    expect(errors[2]).toBeLessThan(0.05 * Math.abs(delta));
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('converges tightly on a small ReLU net (5 → 50 → 2000 steps)', async () => {
    const model = tinyReluNet(17);
    const x = randomInput([4], 23);
    const errors: number[] = [];
    for (const steps of [5, 50, 2000]) errors.push((await integratedGradients(model, x, { target: 0, contrast: 2, steps })).completenessError as number);
    expect(errors[2]).toBeLessThanOrEqual(errors[0]);
    expect(errors[2]).toBeLessThan(1e-3);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('batches many steps (more than one backward pass) and rejects bad steps', async () => {
    const model = tinyReluNet(5);
    const x = randomInput([4], 9);
    const a = await integratedGradients(model, x, { target: 2, steps: 130 });
    expect(a.completenessError).toBeLessThan(1e-3);
    // Smaller backward passes (bounded memory on large inputs) give the same integral.
    const small = await integratedGradients(model, x, { target: 2, steps: 130, maxBatch: 7 });
    for (let i = 0; i < 4; i++) expect(small.attributions[i]).toBeCloseTo(a.attributions[i]!, 5);
    expect(small.delta).toBeCloseTo(a.delta!, 6);
    await expect(integratedGradients(model, x, { steps: 0 })).rejects.toThrow(RangeError);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });
});
