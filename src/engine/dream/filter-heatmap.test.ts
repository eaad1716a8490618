import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onCpuLeavingNoTensors } from '../attribution/testing/fixtures';
import { randomizeWeights } from '../deeplift/testing/model-fixtures';
import { createDreamModel, type DreamModel } from '../models/dream-model';
import { filterHeatmap, releaseFilterHeatmaps } from './filter-heatmap';

onCpuLeavingNoTensors();

/** A miniature of an Inception block on any input size: conv → max pool → two branches (conv; avg pool → conv) → concat. */
function miniInception(seed: number): DreamModel {
  const input = tf.input({ shape: [null, null, 3] });
  const stem = tf.layers.conv2d({ name: 'stem', filters: 4, kernelSize: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const pool = tf.layers.maxPooling2d({ name: 'pool', poolSize: 3, strides: 2 }).apply(stem) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ name: 'a', filters: 3, kernelSize: 1, activation: 'relu' }).apply(pool) as tf.SymbolicTensor;
  const bp = tf.layers.averagePooling2d({ name: 'bp', poolSize: 3, strides: 1, padding: 'same' }).apply(pool) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ name: 'b', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(bp) as tf.SymbolicTensor;
  const mixed0 = tf.layers.concatenate({ name: 'mixed0' }).apply([a, b]) as tf.SymbolicTensor;
  const mixed1 = tf.layers.conv2d({ name: 'mixed1', filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }).apply(mixed0) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [mixed0, mixed1] });
  randomizeWeights(model, seed, 0.4);
  return createDreamModel(model, { scale: 1 / 255, offset: 0, min: 0, max: 1 }, ['mixed0', 'mixed1'], 16);
}

function photo(width: number, height: number, seed: number): tf.Tensor3D {
  return tf.tidy(() => tf.randomUniform([height, width, 3], 0, 255, 'float32', seed).round() as tf.Tensor3D);
}

/** The channel's (or layer's) mean activation, straight from the trunk. */
function meanActivation(model: DreamModel, x01: tf.Tensor4D, layer: string, channel: number | null): number {
  return tf.tidy(() => {
    const act = model.forLayers([layer]).predict(x01) as tf.Tensor4D;
    const picked = channel === null ? act : act.slice([0, 0, 0, channel], [-1, -1, -1, 1]);
    return picked.mean().dataSync()[0]!;
  });
}

describe('filterHeatmap', () => {
  it('through max pooling, branches and a concat: Σ map = Δt for both rules and both references; t is the trunk\'s own', async () => {
    const model = miniInception(3);
    const before = tf.memory().numTensors;
    const img = photo(21, 17, 4);
    for (const rule of ['rescale', 'revealcancel'] as const) {
      for (const reference of ['blurred', 'black'] as const) {
        for (const [layer, channel] of [['mixed0', 1], ['mixed0', null], ['mixed1', 2]] as const) {
          const h = await filterHeatmap(model, img, { layer, channel, reference, rule });
          const what = `${rule} ${reference} ${layer} ${channel}`;
          expect(h.width, what).toBe(21);
          expect(h.height).toBe(17);
          expect(h.map).toHaveLength(21 * 17);
          expect(Math.abs(h.delta), what).toBeGreaterThan(1e-3);
          expect(h.sum, what).toBeCloseTo(h.delta, 4);
          expect(h.map.reduce((s, v) => s + v, 0)).toBeCloseTo(h.sum, 3);
          const x01 = tf.tidy(() => tf.div(img, 255).expandDims(0) as tf.Tensor4D);
          expect(h.value, what).toBeCloseTo(meanActivation(model, x01, layer, channel), 4);
          x01.dispose();
          if (reference === 'black') {
            const black = tf.zeros([1, 17, 21, 3]) as tf.Tensor4D;
            expect(h.referenceValue).toBeCloseTo(meanActivation(model, black, layer, channel), 4);
            black.dispose();
          }
        }
      }
    }
    img.dispose();
    releaseFilterHeatmaps(model);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('the blurred reference differs from the black one and keeps the photo\'s mean colour; clear errors', async () => {
    const model = miniInception(5);
    const img = photo(20, 20, 6);
    const blurred = await filterHeatmap(model, img, { layer: 'mixed0', channel: 0, reference: 'blurred', rule: 'rescale' });
    const black = await filterHeatmap(model, img, { layer: 'mixed0', channel: 0, reference: 'black', rule: 'rescale' });
    expect(blurred.referenceValue).not.toBeCloseTo(black.referenceValue, 3);
    await expect(filterHeatmap(model, img, { layer: 'stem', channel: 0, reference: 'black', rule: 'rescale' })).rejects.toThrow(/no dream layer named stem/);
    await expect(filterHeatmap(model, img, { layer: 'mixed0', channel: 5, reference: 'black', rule: 'rescale' })).rejects.toThrow(/channel 5 is not in \[0, 5\)/);
    const wide = photo(40, 20, 8);
    const scaled = await filterHeatmap(model, wide, { layer: 'mixed0', channel: 0, reference: 'black', rule: 'rescale', maxSide: 32 });
    expect([scaled.width, scaled.height]).toEqual([32, 16]);
    expect(scaled.sum).toBeCloseTo(scaled.delta, 4);
    wide.dispose();
    const small = photo(10, 12, 7);
    await expect(filterHeatmap(model, small, { layer: 'mixed0', channel: 0, reference: 'black', rule: 'rescale' })).rejects.toThrow(/smaller than the model's 16 px/);
    tf.dispose([img, small]);
    releaseFilterHeatmaps(model);
    model.dispose();
  });
});
