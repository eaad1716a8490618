/**
 * The filter heatmap on the shipped InceptionV3 trunk (Node, CPU backend, a
 * small photo): every layer of the trunk has a DeepLIFT rule, and Σ C = Δt
 * holds through its max and average pools, branches and concats.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onCpuLeavingNoTensors } from '../attribution/testing/fixtures';
import { loadDreamModel } from '../models/dream-model';
import { fileSystemIO } from '../models/fs-io';
import { filterHeatmap, releaseFilterHeatmaps } from './filter-heatmap';

const modelPath = path.resolve(__dirname, '../../../public/models/inception-mixed5/model.json');

onCpuLeavingNoTensors();

describe.skipIf(!existsSync(modelPath))('filterHeatmap on the shipped InceptionV3 trunk', () => {
  it('mixed3 channel 17 and the whole of mixed0 on a 75 px photo: Σ C = Δt, both references', async () => {
    const model = await loadDreamModel(fileSystemIO(modelPath));
    const before = tf.memory().numTensors;
    // A photo-like image: smooth gradients plus stripes (texture for the filters).
    const photo = tf.tidy(() => {
      const y = tf.linspace(0, 1, 75).reshape([75, 1, 1]).tile([1, 75, 1]);
      const x = tf.linspace(0, 1, 75).reshape([1, 75, 1]).tile([75, 1, 1]);
      const stripes = tf.sin(tf.mul(tf.add(x, y), 40)).mul(60);
      return tf.concat([tf.add(tf.mul(y, 200), stripes), tf.add(tf.mul(x, 150), 40), tf.add(stripes, 120)], 2).clipByValue(0, 255) as tf.Tensor3D;
    });
    for (const [layer, channel, reference] of [['mixed3', 17, 'blurred'], ['mixed0', null, 'black']] as const) {
      const h = await filterHeatmap(model, photo, { layer, channel, reference, rule: 'rescale' });
      expect(Math.abs(h.delta)).toBeGreaterThan(1e-3);
      expect(Math.abs(h.sum - h.delta)).toBeLessThan(1e-3 * Math.max(1, Math.abs(h.delta)));
    }
    photo.dispose();
    releaseFilterHeatmaps(model);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, 240_000);
});
