/**
 * The measured-quality check on the real InceptionV3 trunk (WASM, as the CLI
 * runs): with a small image and few steps, the visualisation of channel C
 * must excite C, relative to its usual activation on the sample photos, more
 * than nearly every other channel of the layer, and its spectrum must look
 * like an image's (little power above 0.25 cycles/px; white noise has ≈ 80 %).
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../cli/node-backend';
import { decodeToTensor } from '../image/node-codec';
import { fileSystemIO } from '../models/fs-io';
import { TRUNK_INPUT } from '../models/trunk-info';
import { DEFAULT_VISUALIZE_PARAMS } from './params';
import { channelMeans, highFrequencyPower, relativeActivation, usualActivation } from './quality';
import { layerOutputModel, visualizeToImage } from './visualize';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SIZE = 64;

describe('feature visualisation quality on the InceptionV3 trunk', () => {
  let model: tf.LayersModel;
  let layer: tf.LayersModel;
  let usual: Float32Array;
  let start = 0;

  beforeAll(async () => {
    await useNodeBackend('wasm');
    start = tf.memory().numTensors;
    model = await tf.loadLayersModel(fileSystemIO(path.join(root, 'public/models/inception-mixed5/model.json')));
    for (const l of model.layers) l.trainable = false;
    layer = layerOutputModel(model, 'mixed3');
    const photos = ['astronaut.png', 'chelsea.png', 'rocket.jpg'].map((f) => {
      const raw = decodeToTensor(new Uint8Array(readFileSync(path.join(root, 'public/samples', f))));
      const x = tf.tidy(() => tf.mul(raw, TRUNK_INPUT.scale) as tf.Tensor3D);
      raw.dispose();
      return x;
    });
    usual = await usualActivation(layer, photos, SIZE);
    tf.dispose(photos);
  }, 120_000);

  afterAll(() => {
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  // Channels picked without looking at their pictures: the first, and two spread over the layer.
  const ranks: number[] = [];
  for (const channel of [0, 300, 600]) {
    it(`mixed3 channel ${channel}: top of the layer by relative activation, little high-frequency power`, async () => {
      const params = { ...DEFAULT_VISUALIZE_PARAMS, layer: 'mixed3', channel, size: SIZE, steps: 40, learningRate: 0.08 };
      const result = await visualizeToImage(layer, TRUNK_INPUT, params);
      const image = tf.tidy(() => tf.div(tf.slice(tf.tensor4d(Float32Array.from(result.pixels), [1, SIZE, SIZE, 4]), [0, 0, 0, 0], [1, SIZE, SIZE, 3]), 255) as tf.Tensor4D);
      const seen = await channelMeans(layer, [image]);
      image.dispose();
      const r = relativeActivation(seen, usual, channel);
      const hf = highFrequencyPower(result.pixels, SIZE, SIZE);
      console.log(`mixed3:${channel} rank ${r.rank + 1}/${seen.length} ratio ${r.ratios[channel].toFixed(1)} hf ${(100 * hf).toFixed(2)} %`);
      ranks.push(r.rank);
      // Photos at 64 px have 6–16 % of their power above 0.25 cycles/px, white noise ≈ 80 %.
      expect(hf).toBeLessThan(0.2);
      // Each above 90 % of the layer's 768 channels even after only 40 steps at 64 px…
      expect(r.fractionBelow).toBeGreaterThan(0.9);
    }, 120_000);
  }

  it('…and most of them above 97 % (median rank)', () => {
    expect(ranks).toHaveLength(3);
    expect([...ranks].sort((a, b) => a - b)[1]).toBeLessThan(0.03 * 768);
  });
});
