import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { getPlan } from '../deeplift/graph';
import { branchNet, residualNet } from '../deeplift/testing/dag-fixtures';
import { numClassesOf, seedRows, seededGradients } from './attribution';
import { integratedGradients } from './integrated-gradients';
import { inputLinearChain, releaseLogitsFunction } from './logits-function';
import { loadMnistModel, onCpuLeavingNoTensors, randomInput, tinyReluNet } from './testing/fixtures';

/** Integrated gradients the plain way: every path point's input gradient through the whole model, averaged, × Δx. */
async function plainIntegratedGradients(model: tf.LayersModel, x: tf.Tensor, target: number, steps: number): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const alphas = tf.tensor1d(Array.from({ length: steps }, (_, i) => (i + 0.5) / steps));
    const path = tf.mul(tf.reshape(alphas, [steps, ...x.shape.slice(1).map(() => 1)]), x);
    const rows = Array.from({ length: steps }, () => [[target, 1]] as Array<[number, number]>);
    const { gradients, logits } = seededGradients(model, path, seedRows(numClassesOf(model), rows));
    logits.dispose();
    return tf.mul(x, tf.mean(gradients, 0, true));
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

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

  it('sums the rows at the end of the input\'s linear layers and goes back through them once: the same map as the plain way', async () => {
    const cases: Array<[string, () => Promise<tf.LayersModel>, number[], number]> = [
      ['MNIST (conv first)', loadMnistModel, [1, 28, 28, 1], 1],
      ['rescaling, padding, conv, batch norm first', async () => residualNet(3), [1, 9, 9, 3], 4],
      ['the input feeds three branches', async () => branchNet(4), [1, 8, 8, 2], 0],
    ];
    for (const [what, make, shape, chainLength] of cases) {
      const model = await make();
      expect(inputLinearChain(getPlan(model)).length, what).toBe(chainLength);
      const x = tf.randomUniform(shape, -1, 1, 'float32', 11);
      // The class with the largest attributions (a small net may have dead classes for an input).
      let target = 0;
      let plain: Float32Array = new Float32Array(0);
      let scale = 0;
      for (let k = 0; k < numClassesOf(model); k++) {
        const p = await plainIntegratedGradients(model, x, k, 12);
        const s = Math.max(...Array.from(p, Math.abs));
        if (s > scale) [target, plain, scale] = [k, p, s];
      }
      expect(scale, what).toBeGreaterThan(0);
      const r = await integratedGradients(model, x, { target, steps: 12 });
      for (let i = 0; i < plain.length; i++) expect(Math.abs(r.attributions[i] - plain[i]), what).toBeLessThan(1e-5 * scale);
      x.dispose();
      releaseLogitsFunction(model);
      model.dispose();
    }
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
