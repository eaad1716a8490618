/**
 * Tiny image classifiers built in code and written out exactly as
 * tensorflowjs_converter writes a Keras model (model.json + binary shards),
 * for the model-loading tests (Vitest) and the end-to-end tests (Playwright,
 * which passes these buffers to the upload input). Nothing binary is committed.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedBuffer } from '../model-inspect';

export interface ModelFileOptions {
  /** Split the weights into this many shards (default 2, so a missing shard can be named). */
  shards?: number;
  userDefinedMetadata?: Record<string, unknown>;
}

/** The files of `model` as model.json + group1-shardNofM.bin (does not dispose the model). */
export async function modelFiles(model: tf.LayersModel, options: ModelFileOptions = {}): Promise<NamedBuffer[]> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  const weightData = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer[]);
  const count = Math.max(1, options.shards ?? 2);
  // Cut at multiples of 4 bytes, as the converter does.
  const step = Math.ceil(weightData.byteLength / count / 4) * 4;
  const shards: NamedBuffer[] = [];
  for (let i = 0; i < count; i++) {
    shards.push({ name: `group1-shard${i + 1}of${count}.bin`, data: weightData.slice(i * step, Math.min(weightData.byteLength, (i + 1) * step)) });
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: a.weightSpecs }],
    ...(options.userDefinedMetadata ? { userDefinedMetadata: options.userDefinedMetadata } : {}),
  };
  return [{ name: 'model.json', data: new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer }, ...shards];
}

/** A text file as a NamedBuffer. */
export function textFile(name: string, text: string): NamedBuffer {
  return { name, data: new TextEncoder().encode(text).buffer as ArrayBuffer };
}

/** Deterministic weights: tfjs' initialisers with fixed seeds. */
const init = (seed: number) => tf.initializers.glorotNormal({ seed });

/** [1, side, side, 3] → Conv 4@3×3 ReLU → Flatten → Dense `classes` softmax. Random fixed weights. */
export function tinyPhotoModel(side = 8, classes = 6, name = 'tiny_photo'): tf.LayersModel {
  return tf.sequential({
    name,
    layers: [
      tf.layers.conv2d({ inputShape: [side, side, 3], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1), biasInitializer: 'zeros' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(2) }),
    ],
  });
}

/** Like tinyPhotoModel but with a LayerNormalization after the conv (no DeepLIFT rule for it). */
export function unsupportedLayerModel(side = 8): tf.LayersModel {
  return tf.sequential({
    name: 'with_layer_norm',
    layers: [
      tf.layers.conv2d({ inputShape: [side, side, 3], filters: 2, kernelSize: 3, kernelInitializer: init(3) }),
      tf.layers.layerNormalization({ name: 'my_layer_norm' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}

/** A model whose input is a plain vector [batch, 10], not an image. */
export function vectorModel(): tf.LayersModel {
  return tf.sequential({ name: 'vector', layers: [tf.layers.dense({ inputShape: [10], units: 3, activation: 'softmax', kernelInitializer: init(5) })] });
}

/** A fully convolutional model with a dynamic input [batch, null, null, 3] (inspection only). */
export function dynamicModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 3] });
  const out = tf.layers.globalAveragePooling2d({}).apply(tf.layers.conv2d({ filters: 4, kernelSize: 1, kernelInitializer: init(6) }).apply(input)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'dynamic' });
}

/** What tensorflowjs_converter writes for a TF SavedModel / frozen graph (a GraphModel's model.json, no weights). */
export function graphModelFiles(): NamedBuffer[] {
  const json = { format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], versions: { producer: 1 } }, weightsManifest: [] };
  return [textFile('model.json', JSON.stringify(json))];
}

/** model.json of a LayersModel that declares `bytes` of float32 weights (never built: only the manifest is read). */
export function hugeModelFiles(floats: number): NamedBuffer[] {
  const json = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'huge', layers: [] } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'dense/kernel', shape: [floats], dtype: 'float32' }] }],
  };
  return [textFile('model.json', JSON.stringify(json))];
}

/** Seeded BatchNormalization whose moving statistics, scale and shift are not the identity. */
function seededBatchNorm(name: string, seed: number): tf.layers.Layer {
  return tf.layers.batchNormalization({
    name,
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed }),
    betaInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed + 1 }),
    movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 2 }),
    movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed + 3 }),
  });
}

/**
 * A miniature MobileNetV2 as a functional model: stem Conv 3×3/2 → BN → ReLU6,
 * one inverted residual block (1×1 expand → BN → ReLU6 → DepthwiseConv 3×3 →
 * BN → ReLU6 → 1×1 project → BN, Add with the block's input), a 1×1 head conv
 * → BN → ReLU6, GlobalAveragePooling2D, Dense softmax. `side` null gives a
 * dynamic input [null, null, 3]. Seeded weights.
 */
export function tinyMobileNet(side: number | null = 32, classes = 6, name = 'tiny_mobilenet'): tf.LayersModel {
  const relu6 = (n: string) => tf.layers.reLU({ maxValue: 6, name: n });
  const conv = (n: string, filters: number, kernelSize: number, strides: number, seed: number) =>
    tf.layers.conv2d({ name: n, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed }) });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: [side, side, 3], name: 'image' });
  let x = apply(relu6('stem_relu'), apply(seededBatchNorm('stem_bn', 10), apply(conv('stem_conv', 8, 3, 2, 11), input)));
  const blockInput = x;
  x = apply(relu6('expand_relu'), apply(seededBatchNorm('expand_bn', 20), apply(conv('expand_conv', 16, 1, 1, 21), x)));
  x = apply(
    tf.layers.depthwiseConv2d({ name: 'depthwise', kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: tf.initializers.heNormal({ seed: 31 }) }),
    x,
  );
  x = apply(relu6('depthwise_relu'), apply(seededBatchNorm('depthwise_bn', 30), x));
  x = apply(seededBatchNorm('project_bn', 40), apply(conv('project_conv', 8, 1, 1, 41), x));
  x = apply(tf.layers.add({ name: 'block_add' }), [blockInput, x]);
  x = apply(relu6('head_relu'), apply(seededBatchNorm('head_bn', 50), apply(conv('head_conv', 12, 1, 1, 51), x)));
  x = apply(tf.layers.globalAveragePooling2d({ name: 'pool' }), x);
  const out = apply(tf.layers.dense({ name: 'logits', units: classes, activation: 'softmax', kernelInitializer: init(60) }), x);
  return tf.model({ inputs: input, outputs: out, name });
}
