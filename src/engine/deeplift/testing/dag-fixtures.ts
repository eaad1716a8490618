/**
 * Seeded functional (DAG) tfjs models that, together, use every layer the
 * DeepLIFT engine supports: residual blocks with depthwise convs and ReLU6
 * (MobileNet style), parallel branches with concatenation and pooling
 * (Inception style), batch norm with and without scale/centre, every
 * activation, padding/cropping/upsampling/permute, subtract/average.
 */
import * as tf from '@tensorflow/tfjs';
import { KerasDepthwiseConv2D, KerasReLU, KerasSubtract } from '../keras-compat';

/** Seeded weights; batch-norm variances positive, moving means small. */
export function seedWeights(model: tf.LayersModel, seed: number, std = 0.4): void {
  const values = model.weights.map((w, i) => {
    const name = w.originalName ?? w.name;
    if (/moving_variance|movingVariance/.test(name)) return tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', seed + i);
    return tf.randomNormal(w.shape as number[], 0, std, 'float32', seed + i);
  });
  model.setWeights(values);
  for (const v of values) v.dispose();
}

const L = tf.layers;
type Sym = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym;

/** MobileNet/ResNet-style blocks on [9, 9, 3], 5 logits (linear output). */
export function residualNet(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3] });
  let x = apply(L.rescaling({ scale: 0.8, offset: -0.1 }), input);
  x = apply(L.zeroPadding2d({ padding: [[1, 0], [0, 1]] }), x);
  x = apply(L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid' }), x);
  x = apply(L.batchNormalization({}), x);
  x = apply(L.reLU({ maxValue: 6 }), x);
  const shortcut = x;
  let y = apply(new KerasDepthwiseConv2D({ kernelSize: 3, padding: 'same', depthMultiplier: 2, dilationRate: 2 }), x);
  y = apply(L.batchNormalization({ center: false, scale: false }), y);
  y = apply(new KerasReLU({ negativeSlope: 0.1, threshold: 0.05, maxValue: 4 }), y);
  y = apply(L.conv2d({ filters: 4, kernelSize: 1, activation: 'relu6' }), y);
  x = apply(L.add(), [shortcut, y]);
  x = apply(L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), x);
  let z = apply(L.conv2d({ filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'selu' }), x);
  z = apply(L.batchNormalization({ scale: false }), z);
  z = apply(L.activation({ activation: 'swish' }), z);
  z = apply(L.conv2d({ filters: 3, kernelSize: 2, padding: 'same', activation: 'elu' }), z);
  const pooled = apply(L.globalAveragePooling2d({}), z);
  const dense = apply(L.dense({ units: 6, activation: 'softplus' }), pooled);
  const out = apply(L.dense({ units: 5 }), dense);
  const model = tf.model({ inputs: input, outputs: out });
  seedWeights(model, seed);
  return model;
}

/** Inception-style parallel branches on [8, 8, 2], 4 classes with a final softmax. */
export function branchNet(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 2] });
  const b1 = apply(L.conv2d({ filters: 2, kernelSize: 1, activation: 'sigmoid' }), input);
  let b2 = apply(L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'gelu' }), input);
  b2 = apply(L.separableConv2d({ filters: 3, kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'tanh' }), b2);
  let b3 = apply(L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), input);
  b3 = apply(L.conv2d({ filters: 2, kernelSize: 1, activation: 'softsign' }), b3);
  let b4 = apply(L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), input);
  b4 = apply(L.upSampling2d({ size: [2, 2] }), b4);
  b4 = apply(L.conv2d({ filters: 2, kernelSize: 1, activation: 'hardSigmoid' }), b4);
  let x = apply(L.concatenate({ axis: -1 }), [b1, b2, b3, b4]);
  x = apply(L.cropping2D({ cropping: [[1, 0], [0, 1]] }), x);
  x = apply(L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid' }), x);
  const left = apply(L.leakyReLU({ alpha: 0.2 }), x);
  const right = apply(L.prelu({ sharedAxes: [1, 2] }), x);
  const diff = apply(new KerasSubtract({}), [left, right]);
  const mean = apply(L.average(), [left, right, diff]);
  let m = apply(L.activation({ activation: 'mish' }), mean);
  m = apply(L.permute({ dims: [2, 1, 3] }), m);
  m = apply(L.thresholdedReLU({ theta: 0.05 }), m);
  m = apply(L.elu({}), m);
  m = apply(L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }), m);
  const gmax = apply(L.globalMaxPooling2d({}), m);
  const flat = apply(L.flatten(), apply(L.upSampling2d({ size: [1, 2], interpolation: 'bilinear' }), m));
  const both = apply(L.concatenate(), [gmax, apply(L.dropout({ rate: 0.5 }), flat)]);
  const h = apply(L.dense({ units: 5, activation: 'exponential' as 'linear' }), apply(L.dense({ units: 5, activation: 'relu' }), both));
  const out = apply(L.dense({ units: 4, activation: 'softmax' }), h);
  const model = tf.model({ inputs: input, outputs: out });
  seedWeights(model, seed, 0.35);
  return model;
}
