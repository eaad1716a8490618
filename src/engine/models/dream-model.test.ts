import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemIO } from './fs-io';
import { loadDreamModel, ModelLoadError, TRUNK_LAYERS, TRUNK_MIN_SIDE, type DreamModel } from './dream-model';

const MODEL_JSON = path.resolve(__dirname, '../../../public/models/inception-mixed5/model.json');

describe('loadDreamModel (shipped InceptionV3 trunk)', () => {
  let model: DreamModel;
  let start = 0;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    start = tf.memory().numTensors;
    model = await loadDreamModel(fileSystemIO(MODEL_JSON));
  });

  afterAll(() => {
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('exposes mixed0 … mixed5 with their channel counts and no trainable weights', () => {
    expect(model.layerNames).toEqual(TRUNK_LAYERS);
    expect(model.trunk.trainableWeights).toHaveLength(0);
    expect(model.trunk.nonTrainableWeights.length).toBe(100);
    expect(model.trunk.outputs.map((o) => o.shape[3])).toEqual([256, 288, 288, 768, 768, 768]);
  });

  it('takes the gradient w.r.t. the input on the CPU backend at the smallest valid size', async () => {
    const before = tf.memory().numTensors;
    const sub = model.forLayers(['mixed3']);
    expect(model.forLayers(['mixed3'])).toBe(sub);
    const x = tf.randomUniform([1, TRUNK_MIN_SIDE, TRUNK_MIN_SIDE, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const g = tf.grad((input: tf.Tensor) => tf.mean(sub.apply(input) as tf.Tensor))(x);
    const values = await g.data();
    expect(g.shape).toEqual(x.shape);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, g]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects unknown layers and missing files with ModelLoadError', async () => {
    expect(() => model.forLayers(['mixed9'])).toThrow(ModelLoadError);
    await expect(loadDreamModel(fileSystemIO('/nonexistent/model.json'))).rejects.toMatchObject({ name: 'ModelLoadError' });
  });
});
