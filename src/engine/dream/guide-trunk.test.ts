import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../cli/node-backend';
import { decodeToTensor } from '../image/node-codec';
import { fileSystemIO } from '../models/fs-io';
import { loadDreamModel, type DreamModel } from '../models/dream-model';
import { DEFAULT_DREAM_PARAMS, deepDream, type DreamParams } from './dream';
import { guideFeatures, guideSimilarity } from './guide';

const root = path.resolve(__dirname, '../../..');

/** A sample photo scaled to `side` px on its long side, [h, w, 3] in 0..255. */
function sample(name: string, side: number): tf.Tensor3D {
  const full = decodeToTensor(new Uint8Array(readFileSync(path.join(root, 'public/samples', name))));
  const [h, w] = full.shape;
  const f = side / Math.max(h, w);
  const out = tf.tidy(() => tf.image.resizeBilinear(full, [Math.round(h * f), Math.round(w * f)], false, true));
  full.dispose();
  return out;
}

async function finalImage(model: DreamModel, photo: tf.Tensor3D, params: DreamParams): Promise<tf.Tensor3D> {
  let last: Uint8ClampedArray | null = null;
  let size = [0, 0];
  for await (const f of deepDream(model, photo, params)) {
    last = f.pixels;
    size = [f.height, f.width];
  }
  const rgb = new Float32Array(size[0] * size[1] * 3);
  for (let i = 0; i < size[0] * size[1]; i++) rgb.set([last![i * 4], last![i * 4 + 1], last![i * 4 + 2]], i * 3);
  return tf.tensor3d(rgb, [size[0], size[1], 3]);
}

describe('guided dream on the shipped InceptionV3 trunk (WASM)', () => {
  it('makes the photo more like the guide at mixed3 than an unguided dream does', async () => {
    await useNodeBackend('wasm');
    const start = tf.memory().numTensors;
    const model = await loadDreamModel(fileSystemIO(path.join(root, 'public/models/inception-mixed5/model.json')));
    const modelTensors = tf.memory().numTensors;
    const photo = sample('chelsea.png', 96);
    const guide = sample('rocket.jpg', 96);
    const layer = 'mixed3';
    const features = guideFeatures(model, layer, guide);
    const sub = model.forLayers([layer]);
    const similarity = (image: tf.Tensor3D): number => {
      const act = tf.tidy(() => sub.apply(tf.add(tf.mul(image, model.input.scale), model.input.offset).expandDims(0)) as tf.Tensor);
      const s = guideSimilarity(act, features);
      act.dispose();
      return s;
    };
    const params: DreamParams = { ...DEFAULT_DREAM_PARAMS, layers: [{ name: layer, weight: 1 }], octaves: 3, steps: 10, seed: 2 };
    const plain = await finalImage(model, photo, params);
    const guided = await finalImage(model, photo, { ...params, guide: { layer, features } });
    const figures = { photo: similarity(photo), unguided: similarity(plain), guided: similarity(guided), guideItself: similarity(guide) };
    console.log(`best-match cosine similarity to the guide at ${layer}`, figures);
    expect(figures.guideItself).toBeCloseTo(1, 3);
    expect(figures.guided).toBeGreaterThan(figures.photo + 0.025);
    expect(figures.guided).toBeGreaterThan(figures.unguided + 0.04);
    tf.dispose([photo, guide, features, plain, guided]);
    expect(tf.memory().numTensors).toBe(modelTensors);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  }, 240_000);
});
