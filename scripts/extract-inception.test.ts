import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileSystemIO } from '../src/engine/models/fs-io';
import {
  DEFAULT_OUT_DIR, cutTrunk, extractInception, float16Bits, foldBatchNorms, loadNsfwjsInception,
  relativeError, toArtifacts, type FloatModel,
} from './extract-inception';

const MODEL_DIR = path.resolve(__dirname, '..', DEFAULT_OUT_DIR);

/** A smooth, photo-like 75×75 test input in [0, 1] (x/255 preprocessing). */
function testImage(): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.linspace(0, 1, 75).reshape([75, 1, 1]);
    const x = tf.linspace(0, 1, 75).reshape([1, 75, 1]);
    const r = tf.add(tf.mul(tf.sin(tf.mul(x, 7)), 0.4), 0.5).tile([75, 1, 1]);
    const g = tf.mul(y, tf.ones([1, 75, 1]));
    const b = tf.mul(tf.add(tf.cos(tf.mul(tf.add(x, y), 5)), 1), 0.5);
    return tf.concat([r, g, b], 2).expandDims(0) as tf.Tensor4D;
  });
}

describe('extract-inception', () => {
  let original: FloatModel;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    original = cutTrunk(await loadNsfwjsInception());
  });

  it('re-extracts byte-identical to the committed model folder', async () => {
    const files = await extractInception();
    const committed = JSON.parse(readFileSync(path.join(MODEL_DIR, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect([...files.keys()].sort()).toEqual(['model.json', ...committed.weightsManifest[0].paths].sort());
    for (const [name, bytes] of files) {
      const onDisk = new Uint8Array(readFileSync(path.join(MODEL_DIR, name)));
      expect(onDisk.byteLength, name).toBe(bytes.byteLength);
      expect(Buffer.compare(Buffer.from(onDisk), Buffer.from(bytes)), name).toBe(0);
    }
  });

  it('folds every batch norm and ReLU into its conv, keeping mixed0 … mixed5', () => {
    const folded = foldBatchNorms(original);
    const layers = folded.modelTopology.model_config.config.layers;
    expect(original.modelTopology.model_config.config.layers).toHaveLength(165);
    expect(layers).toHaveLength(65);
    expect(layers.filter((l) => l.class_name === 'BatchNormalization' || l.class_name === 'Activation')).toHaveLength(0);
    expect(layers.filter((l) => l.class_name === 'Concatenate').map((l) => l.name)).toEqual(['mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5']);
    expect(layers.every((l) => l.config.trainable === false)).toBe(true);
  });

  it('folded trunk (float32 and the shipped float16) matches the unfolded float32 original at mixed0 and mixed3', async () => {
    const start = tf.memory().numTensors;
    const reference = await tf.loadLayersModel(tf.io.fromMemory(toArtifacts(original)));
    const folded32 = await tf.loadLayersModel(tf.io.fromMemory(toArtifacts(foldBatchNorms(original))));
    const shipped = await tf.loadLayersModel(fileSystemIO(path.join(MODEL_DIR, 'model.json')));
    const x = testImage();
    const want = reference.predict(x) as tf.Tensor[];
    const got32 = folded32.predict(x) as tf.Tensor[];
    const got16 = shipped.predict(x) as tf.Tensor[];
    expect(want[3].shape).toEqual([1, 3, 3, 768]);
    for (const k of [0, 3]) {
      expect(relativeError(got32[k], want[k]).rms).toBeLessThan(1e-5);
      expect(relativeError(got16[k], want[k]).rms).toBeLessThan(5e-3);
      expect(relativeError(got16[k], want[k]).max).toBeLessThan(1e-2);
    }
    tf.dispose([x, want, got32, got16]);
    reference.dispose();
    folded32.dispose();
    shipped.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('encodes float16 with round-to-nearest-even, as tfjs decodes it', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(1e6)).toBe(0x7c00);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    const values = new Float32Array([0.1, -3.14159, 1e-5, 1234.5, 0]);
    const half = new Uint16Array(Array.from(values, float16Bits));
    const decoded = tf.io.decodeWeights(half.buffer, [{ name: 'w', shape: [5], dtype: 'float32', quantization: { dtype: 'float16' } }]);
    const back = decoded.w.dataSync();
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25));
    tf.dispose(decoded);
  });
});
