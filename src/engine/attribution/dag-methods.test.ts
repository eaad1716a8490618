/**
 * The gradient-based methods on functional (DAG) models: gradients equal
 * tfjs autodiff where tfjs' own gradients are right, integrated gradients
 * converge to Σ = Δt through every layer (including 'same' average
 * pooling and upsampling, whose tfjs gradients are not), DeepLIFT-SHAP in
 * one batched pass equals the mean of per-reference DeepLIFT, and WASM
 * agrees with the CPU.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache } from '../deeplift/deeplift';
import { branchNet, residualNet, seedWeights } from '../deeplift/testing/dag-fixtures';
import { seededGradients, seedRows } from './attribution';
import { deepLiftShap } from './deeplift-shap';
import { integratedGradients } from './integrated-gradients';
import { autodiffGradient, maxAbs, maxAbsDiff, onCpuLeavingNoTensors, randomInput } from './testing/fixtures';

onCpuLeavingNoTensors();

/** Branches and merges with layers whose tfjs CPU gradients are exact. */
function autodiffFriendlyNet(): tf.LayersModel {
  const L = tf.layers;
  const on = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => l.apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: [8, 8, 3] });
  let x = on(L.zeroPadding2d({ padding: 1 }), input);
  x = on(L.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }), x);
  const a = on(L.reLU({ maxValue: 6 }), on(L.batchNormalization({}), on(L.depthwiseConv2d({ kernelSize: 3, padding: 'same' }), x)));
  const b = on(L.conv2d({ filters: 4, kernelSize: 1, activation: 'swish' }), x);
  x = on(L.add(), [a, b]);
  const c = on(L.maxPooling2d({ poolSize: 2 }), x);
  const d = on(L.cropping2D({ cropping: [[1, 1], [1, 1]] }), on(L.separableConv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'tanh' }), x));
  x = on(L.concatenate(), [c, d]);
  const out = on(L.dense({ units: 3 }), on(L.globalAveragePooling2d({}), x));
  const model = tf.model({ inputs: input, outputs: out });
  seedWeights(model, 12);
  return model;
}

describe('gradient methods on DAG models', () => {
  it('the logits gradient equals tfjs autodiff through model.apply', async () => {
    const model = autodiffFriendlyNet();
    const x = randomInput([8, 8, 3], 5);
    for (let k = 0; k < 3; k++) {
      const expected = await autodiffGradient(model, x, k);
      const seeds = seedRows(3, [[[k, 1]]]);
      const { gradients, logits } = seededGradients(model, x, seeds);
      const ours = await gradients.data();
      expect(maxAbsDiff(ours, expected)).toBeLessThan(1e-5 * Math.max(1, maxAbs(expected)));
      expect(maxAbs(expected)).toBeGreaterThan(1e-3);
      for (const t of [seeds, gradients, logits]) t.dispose();
    }
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  for (const [name, build, shape] of [['branches', branchNet, [8, 8, 2]], ['residual', residualNet, [9, 9, 3]]] as const) {
    it(`integrated gradients converge to Σ = Δt on the ${name} net`, async () => {
      const model = build(6);
      const x = randomInput([...shape], 7);
      const x0 = tf.tidy(() => tf.mul(randomInput([...shape], 8), 0.3));
      const coarse = await integratedGradients(model, x, { reference: x0, steps: 4 });
      const fine = await integratedGradients(model, x, { reference: x0, steps: 256, target: coarse.target });
      expect(Math.abs(fine.delta as number)).toBeGreaterThan(1e-3);
      expect(fine.completenessError as number).toBeLessThan(0.02 * Math.abs(fine.delta as number) + 1e-4);
      expect(fine.completenessError as number).toBeLessThan(coarse.completenessError as number + 1e-6);
      for (const t of [x, x0]) t.dispose();
      releaseDeepLiftCache(model);
      model.dispose();
    });
  }

  it('DeepLIFT-SHAP (one batched pass) is the mean of DeepLIFT over its references', async () => {
    const model = branchNet(9);
    const x = randomInput([8, 8, 2], 10);
    const refs = tf.tidy(() => tf.mul(tf.randomUniform([4, 8, 8, 2], 0, 1, 'float32', 11), 0.5));
    for (const rule of ['rescale', 'revealcancel'] as const) {
      const shap = await deepLiftShap(model, x, { references: refs, rule, target: 2 });
      const mean = new Float64Array(x.size);
      for (let r = 0; r < 4; r++) {
        const ref = tf.slice(refs, [r], [1]);
        const single = await deepLift(model, x, { rule, target: 2, reference: ref });
        ref.dispose();
        single.attributions.forEach((v, i) => { mean[i] += v / 4; });
      }
      expect(maxAbsDiff(shap.attributions, mean)).toBeLessThan(1e-5 * Math.max(1, maxAbs(mean)));
      expect(shap.spread!.references).toBe(4);
    }
    for (const t of [x, refs]) t.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('WASM gives the CPU gradients on the branches net', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    const model = branchNet(13);
    const values = Float32Array.from({ length: 2 * 128 }, (_, i) => ((i * 29) % 17) / 17);
    const run = async () => {
      const x = tf.tensor(values, [2, 8, 8, 2]);
      const seeds = seedRows(4, [[[1, 1]], [[3, 1], [0, -1]]]);
      const { gradients, logits } = seededGradients(model, x, seeds);
      const g = (await gradients.data()).slice();
      for (const t of [x, seeds, gradients, logits]) t.dispose();
      releaseDeepLiftCache(model);
      return g;
    };
    const cpu = await run();
    await tf.setBackend('wasm');
    const wasm = await run();
    await tf.setBackend('cpu');
    expect(maxAbs(cpu)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(wasm, cpu)).toBeLessThan(1e-4 * Math.max(1, maxAbs(cpu)));
    model.dispose();
  });
});
