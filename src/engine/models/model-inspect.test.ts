import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadModelError,
  checkModelJson,
  entryBytes,
  inspectModel,
  modelArtifacts,
  parseLabels,
  sortModelFiles,
  type NamedBuffer,
} from './model-inspect';
import { MAX_MODEL_BYTES } from './model-spec';
import { dynamicModel, graphModelFiles, hugeModelFiles, modelFiles, textFile, tinyPhotoModel, vectorModel } from './testing/tiny-models';

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(baseline));

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('parseLabels', () => {
  it('reads one label per line (CRLF, trailing blank lines) or a JSON array', () => {
    expect(parseLabels('cat\r\ndog\n\n')).toEqual(['cat', 'dog']);
    expect(parseLabels('["a", "b", 3]')).toEqual(['a', 'b', '3']);
  });
});

describe('model files', () => {
  it('builds the same model back from model.json + two shards, labels sorted out', async () => {
    const model = tinyPhotoModel();
    const files = [...(await modelFiles(model)), textFile('labels.txt', 'a\nb\nc\nd\ne\nf\n')];
    const sorted = sortModelFiles(files);
    expect(sorted.shards.size).toBe(2);
    expect(sorted.labels).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const weightBytes = checkModelJson(sorted.json);
    // conv 3·3·3·4 + 4, dense 144·6 + 6 floats
    expect(weightBytes).toBe((108 + 4 + 144 * 6 + 6) * 4);
    const copy = await tf.loadLayersModel(tf.io.fromMemory(await modelArtifacts(sorted)));
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 7);
    const a = model.predict(x) as tf.Tensor;
    const b = copy.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    copy.dispose();
  });

  it('names a missing shard and a shard of the wrong size', async () => {
    const model = tinyPhotoModel();
    const files = await modelFiles(model);
    model.dispose();
    const missing = await rejection(modelArtifacts(sortModelFiles(files.filter((f) => f.name !== 'group1-shard2of2.bin'))));
    expect(missing.name).toBe('BadModelError');
    expect(missing.message).toContain('group1-shard2of2.bin');
    expect(missing.message).toContain('missing');
    const short: NamedBuffer[] = files.map((f) => (f.name === 'group1-shard1of2.bin' ? { name: f.name, data: f.data.slice(0, 100) } : f));
    const wrong = await rejection(modelArtifacts(sortModelFiles(short)));
    expect(wrong.message).toMatch(/group1-shard1of2\.bin, group1-shard2of2\.bin hold \d+ bytes, but model.json describes 3928 bytes/);
  });

  it('refuses a GraphModel with how to convert, no model.json, and a model over the size limit', async () => {
    const graph = await rejection(() => checkModelJson(sortModelFiles(graphModelFiles()).json));
    expect(graph).toBeInstanceOf(BadModelError);
    expect(graph.message).toContain('GraphModel');
    expect(graph.message).toContain('tensorflowjs_converter --input_format keras');
    expect((await rejection(() => sortModelFiles([textFile('a.bin', 'x')]))).message).toContain('No model.json');
    const huge = await rejection(() => checkModelJson(sortModelFiles(hugeModelFiles(100_000_000)).json));
    expect(huge.message).toContain('400000000'.length > 0 ? '381.5 MB' : '');
    expect(huge.message).toContain('256.0 MB');
    expect(checkModelJson(sortModelFiles(hugeModelFiles(MAX_MODEL_BYTES / 4)).json)).toBe(MAX_MODEL_BYTES);
  });

  it('counts quantized weights at their stored width', () => {
    expect(entryBytes({ name: 'w', shape: [3, 5], dtype: 'float32' })).toBe(60);
    expect(entryBytes({ name: 'w', shape: [3, 5], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } })).toBe(15);
    expect(entryBytes({ name: 'w', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } })).toBe(8);
  });
});

describe('inspectModel', () => {
  it('guesses a fixed input, the class count and metadata labels', () => {
    const model = tinyPhotoModel(8, 6, 'my_mobilenet');
    model.setUserDefinedMetadata({ labels: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const facts = inspectModel(model, 10);
    expect(facts).toMatchObject({ numClasses: 6, labels: ['a', 'b', 'c', 'd', 'e', 'f'], weightBytes: 10 });
    expect(facts.input).toEqual({ height: 8, width: 8, channels: 3, scaling: 'signed', resize: 'crop', isDynamic: false });
    model.setUserDefinedMetadata({ labels: ['a'] });
    expect(() => inspectModel(model)).toThrow(/metadata has 1 labels, but the model has 6 outputs/);
    model.dispose();
  });

  it('marks a dynamic input and refuses a non-image input', () => {
    const dyn = dynamicModel();
    expect(inspectModel(dyn).input).toMatchObject({ isDynamic: true, height: 224, width: 224, channels: 3, scaling: 'unit' });
    dyn.dispose();
    const vec = vectorModel();
    expect(() => inspectModel(vec)).toThrow(/not an image tensor: its shape is \[null,10\]/);
    vec.dispose();
  });
});
