import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfjsTopology } from './keras-topology';
import { modelArtifacts, sortModelFiles } from './model-inspect';
import { deepLift, releaseDeepLiftCache } from '../deeplift/deeplift';

/** A Keras 3 tensor reference, as Keras 3's functional serialisation writes it. */
const tensor = (layer: string, shape: (number | null)[]) => ({
  class_name: '__keras_tensor__',
  config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] },
});
const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const node = (...args: unknown[]) => ({ args, kwargs: {} });

/**
 * input 6×6×2 → conv (3×3, 3 filters, relu) → depthwise (3×3, same) → add(conv, depthwise)
 * → concatenate(add, conv) → global average pooling → dense(2): a Keras 3 topology written by hand.
 */
function keras3Json(): tf.io.ModelJSON {
  const layers = [
    { class_name: 'InputLayer', name: 'image', config: { batch_shape: [null, 6, 6, 2], dtype: 'float32', sparse: false, name: 'image' }, inbound_nodes: [] },
    {
      module: 'keras.layers', class_name: 'Conv2D', name: 'conv', registered_name: null,
      config: { name: 'conv', trainable: true, dtype: policy, filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true },
      inbound_nodes: [node(tensor('image', [null, 6, 6, 2]))],
    },
    {
      class_name: 'DepthwiseConv2D', name: 'dw',
      config: { name: 'dw', trainable: true, dtype: policy, kernel_size: [3, 3], strides: [1, 1], padding: 'same', depth_multiplier: 1, activation: 'linear', use_bias: false },
      inbound_nodes: [node(tensor('conv', [null, 6, 6, 3]))],
    },
    { class_name: 'Add', name: 'add', config: { name: 'add', trainable: true, dtype: policy }, inbound_nodes: [node([tensor('conv', [null, 6, 6, 3]), tensor('dw', [null, 6, 6, 3])])] },
    { class_name: 'Concatenate', name: 'cat', config: { name: 'cat', trainable: true, dtype: policy, axis: -1 }, inbound_nodes: [node([tensor('add', [null, 6, 6, 3]), tensor('conv', [null, 6, 6, 3])])] },
    { class_name: 'GlobalAveragePooling2D', name: 'gap', config: { name: 'gap', trainable: true, dtype: policy, data_format: 'channels_last', keepdims: false }, inbound_nodes: [node(tensor('cat', [null, 6, 6, 6]))] },
    { class_name: 'Dense', name: 'logits', config: { name: 'logits', trainable: true, dtype: policy, units: 2, activation: 'linear', use_bias: true }, inbound_nodes: [node(tensor('gap', [null, 6]))] },
  ];
  return {
    format: 'layers-model',
    generatedBy: 'keras v3.4.1',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '3.4.1',
      backend: 'tensorflow',
      // A single input and output written flat, as Keras 3 does for a model built on one tensor.
      model_config: { class_name: 'Functional', config: { name: 'functional', trainable: true, layers, input_layers: ['image', 0, 0], output_layers: ['logits', 0, 0] } },
    },
    weightsManifest: [{
      paths: ['group1-shard1of1.bin'],
      weights: [
        { name: 'conv/kernel', shape: [3, 3, 2, 3], dtype: 'float32' },
        { name: 'conv/bias', shape: [3], dtype: 'float32' },
        { name: 'dw/kernel', shape: [3, 3, 3, 1], dtype: 'float32' },
        { name: 'logits/kernel', shape: [6, 2], dtype: 'float32' },
        { name: 'logits/bias', shape: [2], dtype: 'float32' },
      ],
    }],
  };
}

/** Deterministic weights in manifest order. */
function weightValues(): Float32Array[] {
  const sizes = [54, 3, 27, 12, 2];
  let seed = 7;
  return sizes.map((n) => Float32Array.from({ length: n }, () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  }));
}

/** The same network built with the tfjs layers API, given the same weights. */
function referenceModel(values: Float32Array[]): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }).apply(input) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'dw' }).apply(conv) as tf.SymbolicTensor;
  const add = tf.layers.add().apply([conv, dw]) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate().apply([add, conv]) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({}).apply(cat) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'logits' }).apply(gap) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const shapes = [[3, 3, 2, 3], [3], [3, 3, 3, 1], [6, 2], [2]];
  model.setWeights(values.map((v, i) => tf.tensor(v, shapes[i])));
  return model;
}

describe('tfjsTopology', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('rewrites a Keras 3 DAG (batch_shape, args/kwargs nodes, merges, DTypePolicy, flat refs, depthwise kernel) so tfjs loads it with the same outputs', async () => {
    const json = keras3Json();
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object }))).rejects.toThrow(/batchInputShape/);
    const values = weightValues();
    const bytes = new Uint8Array(values.reduce((n, v) => n + v.byteLength, 0));
    let offset = 0;
    for (const v of values) {
      bytes.set(new Uint8Array(v.buffer), offset);
      offset += v.byteLength;
    }
    const files = sortModelFiles([
      { name: 'model.json', data: new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer },
      { name: 'group1-shard1of1.bin', data: bytes.buffer as ArrayBuffer },
    ]);
    const model = await tf.loadLayersModel(tf.io.fromMemory(await modelArtifacts(files)));
    const reference = referenceModel(values);
    const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 3);
    const got = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    const want = (reference.predict(x) as tf.Tensor).arraySync() as number[][];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(got[i]![j]).toBeCloseTo(want[i]![j]!, 5);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Conv2D', 'DepthwiseConv2D', 'Add', 'Concatenate', 'GlobalAveragePooling2D', 'Dense']);
    tf.dispose([x]);
    model.dispose();
    reference.dispose();
  });

  it('rewrites a Keras 3 Sequential model, whose first layer is an InputLayer with batch_shape', async () => {
    const topology = { keras_version: '3.4.1', model_config: { class_name: 'Sequential', config: { name: 'sequential', dtype: policy, layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 8, 8, 1], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
      { module: 'keras.layers', class_name: 'Conv2D', config: { name: 'conv2d', dtype: policy, filters: 2, kernel_size: [3, 3], padding: 'valid', activation: 'relu', use_bias: true, kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null } }, registered_name: null },
      { module: 'keras.layers', class_name: 'Flatten', config: { name: 'flatten', dtype: policy, data_format: 'channels_last' }, registered_name: null },
      { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', dtype: policy, units: 3, activation: 'softmax' }, registered_name: null },
    ] } } };
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology }))).rejects.toThrow(/batchInputShape/);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: tfjsTopology({ modelTopology: topology }).modelTopology as object }));
    expect(model.inputs[0]!.shape).toEqual([null, 8, 8, 1]);
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    model.dispose();
  });

  it('gives global pooling with keepdims its 1×1 sides (Keras MobileNet’s head), so the 1×1 conv after it loads, computes and is explained', async () => {
    // conv(3×3, 4) → GAP(keepdims) → Dropout → Conv2D(1×1, 3 classes) → Reshape([3]) → softmax: Keras 2.6+ MobileNet's classifier.
    const layers = [
      { class_name: 'InputLayer', name: 'in', config: { batch_input_shape: [null, 5, 5, 2], dtype: 'float32', name: 'in' }, inbound_nodes: [] },
      { class_name: 'Conv2D', name: 'conv', config: { name: 'conv', filters: 4, kernel_size: [3, 3], padding: 'valid', activation: 'relu', use_bias: true }, inbound_nodes: [[['in', 0, 0, {}]]] },
      { class_name: 'GlobalAveragePooling2D', name: 'gap', config: { name: 'gap', data_format: 'channels_last', keepdims: true }, inbound_nodes: [[['conv', 0, 0, {}]]] },
      { class_name: 'Dropout', name: 'dropout', config: { name: 'dropout', rate: 0.001 }, inbound_nodes: [[['gap', 0, 0, {}]]] },
      { class_name: 'Conv2D', name: 'conv_preds', config: { name: 'conv_preds', filters: 3, kernel_size: [1, 1], padding: 'same', use_bias: true }, inbound_nodes: [[['dropout', 0, 0, {}]]] },
      { class_name: 'Reshape', name: 'reshape_2', config: { name: 'reshape_2', target_shape: [3] }, inbound_nodes: [[['conv_preds', 0, 0, {}]]] },
      { class_name: 'Activation', name: 'predictions', config: { name: 'predictions', activation: 'softmax' }, inbound_nodes: [[['reshape_2', 0, 0, {}]]] },
    ];
    const topology = { model_config: { class_name: 'Functional', config: { name: 'mobilenet_head', layers, input_layers: [['in', 0, 0]], output_layers: [['predictions', 0, 0]] } } };
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology }))).rejects.toThrow(/ndim=4|expected.*4|rank/i);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: tfjsTopology({ modelTopology: topology }).modelTopology as object }));
    expect(model.getLayer('gap_keepdims').outputShape).toEqual([null, 1, 1, 4]);
    // The same head with an explicit GAP + reshape, and the same weights.
    const input = tf.input({ shape: [5, 5, 2] });
    let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    h = tf.layers.reshape({ targetShape: [1, 1, 4] }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.reshape({ targetShape: [3] }).apply(h) as tf.SymbolicTensor;
    const reference = tf.model({ inputs: input, outputs: tf.layers.activation({ activation: 'softmax' }).apply(h) as tf.SymbolicTensor });
    reference.setWeights(model.getWeights());
    const x = tf.randomUniform([1, 5, 5, 2], 0, 1, 'float32', 5);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((reference.predict(x) as tf.Tensor).dataSync()));
    const result = await deepLift(model, x, { rule: 'rescale', target: 1 });
    expect(Math.abs(result.sum - result.delta)).toBeLessThan(1e-4 * Math.max(1, Math.abs(result.delta)));
    expect(result.delta).not.toBe(0);
    releaseDeepLiftCache(model);
    tf.dispose([x]);
    model.dispose();
    reference.dispose();
    // Sequential models get the Reshape after the pooling layer too.
    const seq = tfjsTopology({ modelTopology: { model_config: { class_name: 'Sequential', config: { layers: [
      { class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: [1, 1], batch_input_shape: [null, 3, 3, 1] } },
      { class_name: 'GlobalMaxPooling2D', config: { name: 'gmp', keepdims: true } },
      { class_name: 'Flatten', config: { name: 'f' } },
    ] } } } }).modelTopology as { model_config: { config: { layers: { class_name: string }[] } } };
    expect(seq.model_config.config.layers.map((l) => l.class_name)).toEqual(['Conv2D', 'GlobalMaxPooling2D', 'Reshape', 'Flatten']);
  });

  it('leaves a Keras 2 topology as it was and does not change its input', () => {
    const keras2 = {
      modelTopology: { model_config: { class_name: 'Functional', config: { layers: [
        { class_name: 'InputLayer', name: 'in', config: { batch_input_shape: [null, 4], dtype: 'float32', name: 'in' }, inbound_nodes: [] },
        { class_name: 'Dense', name: 'd', config: { name: 'd', units: 1, dtype: 'float32' }, inbound_nodes: [[['in', 0, 0, {}]]] },
      ], input_layers: [['in', 0, 0]], output_layers: [['d', 0, 0]] } } },
      weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'd/kernel' }, { name: 'd/bias' }] }],
    };
    const before = JSON.stringify(keras2);
    expect(tfjsTopology(keras2)).toEqual(keras2);
    expect(JSON.stringify(keras2)).toBe(before);
    const k3 = keras3Json();
    const snapshot = JSON.stringify(k3);
    const out = tfjsTopology(k3);
    expect(JSON.stringify(k3)).toBe(snapshot);
    expect(out.weightsManifest![0]!.weights.map((w) => w.name)).toContain('dw/depthwise_kernel');
    expect(tfjsTopology(out)).toEqual(out);
  });
});
