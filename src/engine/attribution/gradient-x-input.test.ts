import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gradientTimesInput } from './gradient-x-input';
import { releaseLogitsFunction } from './logits-function';
import { seededGradients, seedRows } from './attribution';
import { loadMnistModel, maxAbs, maxAbsDiff, onCpuLeavingNoTensors, randomInput, tinyReluNet } from './testing/fixtures';

onCpuLeavingNoTensors();

async function gradientOf(model: tf.LayersModel, x: tf.Tensor, terms: Array<[number, number]>, k: number): Promise<Float32Array> {
  const seeds = seedRows(k, [terms]);
  const { gradients, logits } = seededGradients(model, x, seeds);
  const data = (await gradients.data()) as Float32Array;
  for (const t of [seeds, gradients, logits]) t.dispose();
  return data;
}

describe('gradient × input', () => {
  it('equals gradient ⊙ input on the MNIST model (black reference)', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 4);
    const pixels = await x.data();
    for (const [target, contrast] of [[3, null], [8, 3]] as Array<[number, number | null]>) {
      const r = await gradientTimesInput(model, x, { target, contrast });
      const terms: Array<[number, number]> = contrast === null ? [[target, 1]] : [[target, 1], [contrast, -1]];
      const g = await gradientOf(model, x, terms, 10);
      const expected = g.map((v, i) => v * pixels[i]);
      expect(maxAbs(expected)).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(r.attributions, expected)).toBeLessThan(1e-6);
      expect(r.delta).not.toBeNull();
      expect(r.completenessError).toBeCloseTo(Math.abs(r.sum - (r.delta as number)), 5);
    }
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('uses (x − x₀) with a reference, and Δt from both logits', async () => {
    const model = tinyReluNet(12);
    const x = tf.tensor2d([[0.9, 0.1, 0.5, 0.7]]);
    const x0 = tf.tensor2d([[0.2, 0.2, 0.2, 0.2]]);
    const r = await gradientTimesInput(model, x, { target: 1, reference: x0 });
    const g = await gradientOf(model, x, [[1, 1]], 3);
    expect(maxAbsDiff(r.attributions, [0.7, -0.1, 0.3, 0.5].map((d, i) => d * g[i]))).toBeLessThan(1e-6);
    const t = tf.tidy(() => tf.sub(model.apply(x) as tf.Tensor, model.apply(x0) as tf.Tensor));
    const dt = await t.data();
    t.dispose();
    expect(r.delta).toBeCloseTo(dt[1], 5);
    for (const v of [x, x0]) v.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });
});
