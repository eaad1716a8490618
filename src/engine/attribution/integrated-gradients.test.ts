import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integratedGradients } from './integrated-gradients';
import { releaseLogitsFunction } from './logits-function';
import { loadMnistModel, randomInput, tinyReluNet } from './testing/fixtures';

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(baseline);
});

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

  it('converges to Σ = Δt on the MNIST model as steps grow (8 rather than 3)', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 21);
    for (const options of [{ target: 8, contrast: 3 }]) {
      const errors: number[] = [];
      let delta = 0;
      for (const steps of [2, 20, 200]) {
        const r = await integratedGradients(model, x, { ...options, steps });
        errors.push(r.completenessError as number);
        delta = r.delta as number;
        expect(Math.abs(r.sum - delta)).toBeCloseTo(r.completenessError as number, 5);
      }
      expect(Math.abs(delta)).toBeGreaterThan(0.1);
      expect(errors[2]).toBeLessThan(errors[0]);
      expect(errors[2]).toBeLessThanOrEqual(errors[1] + 1e-4);
      expect(errors[2]).toBeLessThan(0.01 * Math.abs(delta) + 1e-3);
    }
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('batches many steps (more than one backward pass) and rejects bad steps', async () => {
    const model = tinyReluNet(5);
    const x = randomInput([4], 9);
    const a = await integratedGradients(model, x, { target: 2, steps: 130 });
    expect(a.completenessError).toBeLessThan(1e-3);
    await expect(integratedGradients(model, x, { steps: 0 })).rejects.toThrow(RangeError);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });
});
