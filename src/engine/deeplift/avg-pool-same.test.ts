/**
 * AveragePooling2D with 'same' padding (every Inception block has one):
 * tfjs's own AvgPool gradient divides by the whole window at the borders,
 * where the forward pass divides by the inputs present, so a transpose built
 * on it is not the transpose and summation-to-delta fails. These tests pin the
 * corrected transpose: ⟨A x, m⟩ = ⟨x, Aᵀ m⟩, and Σ C = Δt through the layer.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onCpuLeavingNoTensors } from '../attribution/testing/fixtures';
import { AvgPoolNode } from './pass-through';
import { deepLiftHiddenTarget } from './hidden-target';
import { randomizeWeights } from './testing/model-fixtures';
import { disposeAndCheck } from './testing/naive-layers';

onCpuLeavingNoTensors();

describe("AvgPoolNode with 'same' padding", () => {
  for (const [pool, strides] of [[[3, 3], [1, 1]], [[3, 2], [2, 2]], [[2, 2], [2, 1]]] as const) {
    it(`is the exact transpose of its forward pass (pool ${pool}, strides ${strides})`, () => {
      const inShape = [7, 6, 2];
      const node = new AvgPoolNode('p', 'AveragePooling2D', [0], [], inShape, [...pool], [...strides], 'same');
      const [lhs, rhs] = tf.tidy(() => {
        const x = tf.randomNormal([1, ...inShape], 0, 1, 'float32', 1);
        const y = node.forward([x]);
        const m = tf.randomNormal(y.shape, 0, 1, 'float32', 2);
        const back = (node as unknown as { transpose(t: tf.Tensor): tf.Tensor }).transpose(m);
        return [tf.sum(tf.mul(y, m)).dataSync()[0]!, tf.sum(tf.mul(x, back)).dataSync()[0]!];
      });
      expect(rhs).toBeCloseTo(lhs, 4);
    });
  }

  it('keeps Σ C = Δt through a conv → same avg pool → conv stack, both rules', async () => {
    const before = tf.memory().numTensors;
    const input = tf.input({ shape: [9, 9, 2] });
    const c0 = tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', name: 'c0' }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(c0) as tf.SymbolicTensor;
    const out = tf.layers.conv2d({ name: 'b', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeWeights(model, 3, 0.4);
    const x = tf.randomUniform([1, 9, 9, 2], 0, 1, 'float32', 1);
    const x0 = tf.randomUniform([1, 9, 9, 2], 0, 1, 'float32', 2);
    for (const rule of ['rescale', 'revealcancel'] as const) {
      const r = await deepLiftHiddenTarget(model, x, { rule, layer: 'b', channel: null, reference: x0 });
      expect(Math.abs(r.delta)).toBeGreaterThan(1e-3);
      expect(r.sum).toBeCloseTo(r.delta, 5);
    }
    disposeAndCheck(before, model, x, x0);
  });
});
