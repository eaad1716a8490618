/**
 * The DeepLIFT paper's MNIST classifier (Shrikumar, Greenside & Kundaje, 2017, §4.1,
 * and the authors' replication notebook): Conv 32@4×4/2 → ReLU → Conv 64@4×4/2 → ReLU
 * → Dropout → Flatten → Dense 128 → ReLU → Dropout → Dense 10 → softmax, strided
 * convolutions instead of pooling. 239,594 parameters.
 *
 * Two forms of the same network:
 * - `buildMnistModel`: the standard tf.sequential LayersModel that is saved, shipped
 *   and loaded by the app (layer names are a stable contract: conv1, conv2, dropout1,
 *   flatten, dense1, dropout2, logits);
 * - `MnistParams` + `forwardMnist`: a functional copy on tf.variables whose convs are
 *   im2col (see im2col-conv.ts), used for training because it trains on WASM and is
 *   much faster on CPU. Its kernels have the Conv2D HWIO layout, so `copyParamsToModel`
 *   moves them into the standard model unchanged.
 *
 * Also a Node file-system IOHandler (tfjs's non-node package has no file:// saver),
 * writing and reading the standard model.json + weights.bin pair.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { im2colConv2d } from './im2col-conv';
import { IMAGE_SIZE, NUM_CLASSES } from './mnist-data';
import { sha256HexSync } from './shard-hashes';

export const LAYER_NAMES = ['conv1', 'conv2', 'dropout1', 'flatten', 'dense1', 'dropout2', 'logits'] as const;
export const PARAMETER_COUNT = 239_594;
/** Dropout rates (as in Keras's mnist_cnn example, which the notebook's model follows). */
export const DROPOUT_CONV = 0.25;
export const DROPOUT_DENSE = 0.5;

/**
 * The standard Sequential model. Input [b, 28, 28, 1] float32 in [0, 1], light on dark;
 * output [b, 10] softmax probabilities. Randomly initialised; the caller owns it.
 */
export function buildMnistModel(): tf.Sequential {
  const model = tf.sequential({ name: 'dreamlift_mnist' });
  model.add(tf.layers.conv2d({
    name: 'conv1', inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 32, kernelSize: 4, strides: 2,
    padding: 'valid', activation: 'relu',
  }));
  model.add(tf.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 4, strides: 2, padding: 'valid', activation: 'relu' }));
  model.add(tf.layers.dropout({ name: 'dropout1', rate: DROPOUT_CONV }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'dense1', units: 128, activation: 'relu' }));
  model.add(tf.layers.dropout({ name: 'dropout2', rate: DROPOUT_DENSE }));
  model.add(tf.layers.dense({ name: 'logits', units: NUM_CLASSES, activation: 'softmax' }));
  return model;
}

/** Trainable weights of the functional (im2col) form; shapes as in the Sequential model. */
export interface MnistParams {
  conv1Kernel: tf.Variable; // [4, 4, 1, 32]
  conv1Bias: tf.Variable; // [32]
  conv2Kernel: tf.Variable; // [4, 4, 32, 64]
  conv2Bias: tf.Variable; // [64]
  dense1Kernel: tf.Variable; // [1600, 128]
  dense1Bias: tf.Variable; // [128]
  logitsKernel: tf.Variable; // [128, 10]
  logitsBias: tf.Variable; // [10]
}

/** Glorot-uniform values from our own seeded PRNG (same on every backend). */
function glorot(shape: number[], fanIn: number, fanOut: number, rng: () => number): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (2 * rng() - 1) * limit;
  return tf.tensor(values, shape);
}

/**
 * Fresh parameters: Glorot-uniform kernels (fans as Keras computes them), zero biases.
 * The caller owns the variables (`disposeParams`).
 */
export function initMnistParams(rng: () => number): MnistParams {
  const variable = (t: tf.Tensor, name: string): tf.Variable => {
    const v = tf.variable(t, true, `${name}_${Math.floor(rng() * 1e9)}`);
    t.dispose();
    return v;
  };
  return {
    conv1Kernel: variable(glorot([4, 4, 1, 32], 16, 16 * 32, rng), 'conv1_kernel'),
    conv1Bias: variable(tf.zeros([32]), 'conv1_bias'),
    conv2Kernel: variable(glorot([4, 4, 32, 64], 16 * 32, 16 * 64, rng), 'conv2_kernel'),
    conv2Bias: variable(tf.zeros([64]), 'conv2_bias'),
    dense1Kernel: variable(glorot([1600, 128], 1600, 128, rng), 'dense1_kernel'),
    dense1Bias: variable(tf.zeros([128]), 'dense1_bias'),
    logitsKernel: variable(glorot([128, NUM_CLASSES], 128, NUM_CLASSES, rng), 'logits_kernel'),
    logitsBias: variable(tf.zeros([NUM_CLASSES]), 'logits_bias'),
  };
}

export function paramList(params: MnistParams): tf.Variable[] {
  return [
    params.conv1Kernel, params.conv1Bias, params.conv2Kernel, params.conv2Bias,
    params.dense1Kernel, params.dense1Bias, params.logitsKernel, params.logitsBias,
  ];
}

export function disposeParams(params: MnistParams): void {
  for (const v of paramList(params)) v.dispose();
}

/**
 * Functional forward pass to the pre-softmax logits.
 * @param x [b, 28, 28, 1] float32 in [0, 1]
 * @param dropoutSeed when given, dropout is active (training) with seeds derived from it;
 *   when undefined, inference (no dropout)
 * @returns [b, 10] logits; the caller owns it. Does not dispose `x`.
 */
export function forwardMnist(params: MnistParams, x: tf.Tensor4D, dropoutSeed?: number): tf.Tensor2D {
  return tf.tidy(() => {
    const batch = x.shape[0];
    let h: tf.Tensor = tf.relu(im2colConv2d(x, params.conv1Kernel as tf.Tensor4D, params.conv1Bias as tf.Tensor1D));
    h = tf.relu(im2colConv2d(h as tf.Tensor4D, params.conv2Kernel as tf.Tensor4D, params.conv2Bias as tf.Tensor1D));
    if (dropoutSeed !== undefined) h = tf.dropout(h, DROPOUT_CONV, undefined, dropoutSeed);
    h = tf.reshape(h, [batch, -1]);
    h = tf.relu(tf.add(tf.matMul(h as tf.Tensor2D, params.dense1Kernel as tf.Tensor2D), params.dense1Bias));
    if (dropoutSeed !== undefined) h = tf.dropout(h, DROPOUT_DENSE, undefined, dropoutSeed + 1);
    return tf.add(tf.matMul(h as tf.Tensor2D, params.logitsKernel as tf.Tensor2D), params.logitsBias) as tf.Tensor2D;
  });
}

/** Copies the functional parameters into the standard model (same layouts, no transposes). */
export function copyParamsToModel(params: MnistParams, model: tf.LayersModel): void {
  model.getLayer('conv1').setWeights([params.conv1Kernel, params.conv1Bias]);
  model.getLayer('conv2').setWeights([params.conv2Kernel, params.conv2Bias]);
  model.getLayer('dense1').setWeights([params.dense1Kernel, params.dense1Bias]);
  model.getLayer('logits').setWeights([params.logitsKernel, params.logitsBias]);
}

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * tfjs IOHandler for a folder on disk: `save` writes model.json (Keras topology format,
 * one weights manifest group) and weights.bin; `load` reads them back. The files are
 * the same as those `tf.loadLayersModel('…/model.json')` fetches over HTTP.
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error('fileSystemHandler: no weights to save');
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        // With the shard's SHA-256, which the app checks before use (scripts/shard-hashes.ts).
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs, sha256: [sha256HexSync(new Uint8Array(weights))] } as tf.io.WeightsManifestConfig[number]],
      };
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, MODEL_JSON), `${JSON.stringify(modelJson)}\n`);
      writeFileSync(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const weightSpecs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) => group.paths.map((p) => {
          const bytes = readFileSync(join(dir, p));
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        }));
        return [weightSpecs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
