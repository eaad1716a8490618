import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHeldOut, makeRng, MODEL_DIR, PIXELS } from './mnist-data';
import {
  buildMnistModel, copyParamsToModel, disposeParams, fileSystemHandler, forwardMnist, initMnistParams, LAYER_NAMES,
  PARAMETER_COUNT,
} from './mnist-model';
import { trainStep } from './train-mnist';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'dreamlift-mnist-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('buildMnistModel', () => {
  it('is the DeepLIFT MNIST architecture with stable layer names', () => {
    const before = tf.memory().numTensors;
    const model = buildMnistModel();
    expect(model.layers.map((l) => l.name)).toEqual([...LAYER_NAMES]);
    expect(model.countParams()).toBe(PARAMETER_COUNT);
    expect(model.countParams()).toBe(239_594);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    const config = (name: string) => model.getLayer(name).getConfig();
    expect(config('conv1')).toMatchObject({ filters: 32, kernelSize: [4, 4], strides: [2, 2], padding: 'valid', activation: 'relu' });
    expect(config('conv2')).toMatchObject({ filters: 64, kernelSize: [4, 4], strides: [2, 2], padding: 'valid', activation: 'relu' });
    expect(config('dense1')).toMatchObject({ units: 128, activation: 'relu' });
    expect(config('logits')).toMatchObject({ units: 10, activation: 'softmax' });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('functional im2col form', () => {
  it('loads into the standard model and gives the same outputs, also after a save/load round trip', async () => {
    const before = tf.memory().numTensors;
    const params = initMnistParams(makeRng(42));
    const model = buildMnistModel();
    copyParamsToModel(params, model);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const logits = forwardMnist(params, x);
    const ours = tf.softmax(logits);
    const theirs = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
    // Logits themselves: the standard model's softmax input, recomputed from its layers.
    const modelLogits = tf.tidy(() => {
      let h: tf.Tensor = x;
      for (const name of ['conv1', 'conv2', 'flatten', 'dense1']) h = model.getLayer(name).apply(h) as tf.Tensor;
      const [kernel, bias] = model.getLayer('logits').getWeights();
      return tf.add(tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D), bias!);
    });
    expect(maxAbsDiff(logits, modelLogits)).toBeLessThan(1e-4);

    await model.save(fileSystemHandler(tmp));
    const saved = JSON.parse(readFileSync(join(tmp, 'model.json'), 'utf8'));
    expect(saved.format).toBe('layers-model');
    expect(saved.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(readFileSync(join(tmp, 'weights.bin')).byteLength).toBe(PARAMETER_COUNT * 4);
    const loaded = await tf.loadLayersModel(fileSystemHandler(tmp));
    const reloaded = loaded.predict(x) as tf.Tensor;
    expect(maxAbsDiff(reloaded, theirs)).toBe(0);

    tf.dispose([x, logits, ours, theirs, modelLogits, reloaded]);
    model.dispose();
    loaded.dispose();
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains: a few Adam steps lower the loss on a tiny batch', () => {
    const before = tf.memory().numTensors;
    const rng = makeRng(3);
    const params = initMnistParams(rng);
    const optimizer = tf.train.adam(2e-3);
    const pixels = new Float32Array(8 * PIXELS).map(() => (rng() < 0.2 ? rng() : 0));
    const x = tf.tensor4d(pixels, [8, 28, 28, 1]);
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const losses = Array.from({ length: 6 }, () => trainStep(optimizer, params, x, labels));
    expect(losses[5]!).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([x, labels]);
    disposeParams(params);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the committed model in public/models/mnist', () => {
  it('loads, has the DeepLIFT architecture and classifies the first 200 held-out digits with ≥ 97 % accuracy', async () => {
    const before = tf.memory().numTensors;
    const model = await tf.loadLayersModel(fileSystemHandler(MODEL_DIR));
    expect(model.layers.map((l) => l.name)).toEqual([...LAYER_NAMES]);
    expect(model.countParams()).toBe(PARAMETER_COUNT);
    const heldOut = loadHeldOut();
    // Stratified split lists digits class by class, so take 20 of each class.
    const indices = Array.from({ length: 10 }, (_, d) => Array.from({ length: 20 }, (_, k) => d * 200 + k)).flat();
    const pixels = new Float32Array(indices.length * PIXELS);
    indices.forEach((i, j) => pixels.set(heldOut.pixels01.subarray(i * PIXELS, (i + 1) * PIXELS), j * PIXELS));
    const predicted = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(pixels, [indices.length, 28, 28, 1])) as tf.Tensor, 1));
    const classes = await predicted.data();
    predicted.dispose();
    const correct = indices.filter((i, j) => classes[j] === heldOut.labels[i]).length;
    expect(correct / indices.length).toBeGreaterThanOrEqual(0.97);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
