/**
 * Small seeded tfjs models for the DeepLIFT tests and benchmarks, and a
 * converter from such a model to the naive float64 layers of
 * naive-deeplift.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type NaiveLayer } from './naive-deeplift';

/** Overwrites every weight of `model` with seeded normal values (std `std`). */
export function randomizeWeights(model: tf.LayersModel, seed: number, std = 0.5): void {
  const values = model.getWeights().map((w, i) =>
    tf.randomNormal(w.shape, 0, std, 'float32', seed + i));
  model.setWeights(values);
  for (const v of values) v.dispose();
}

/** The paper's MNIST architecture (strided convs), weights seeded. */
export function mnistArchitecture(seed = 1): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 4, strides: 2, activation: 'relu' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 4, strides: 2, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, seed, 0.1);
  return model;
}

/** A small conv+dense ReLU net on [1, 8, 8, 2] with 4 classes. */
export function smallConvNet(seed: number): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 3, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, activation: 'relu' }),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

/** Strided 'same' convs with kernels not divisible by the stride, on a non-square input [1, 7, 9, 2]. */
export function stridedSameNet(seed: number): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [7, 9, 2], filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });
  randomizeWeights(model, seed);
  return model;
}

/** Converts a Sequential of Conv2D/Dense (relu/linear/final softmax), Flatten, Dropout. */
export function toNaiveLayers(model: tf.LayersModel): NaiveLayer[] {
  const out: NaiveLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const ws = layer.getWeights().map((w) => Float64Array.from(w.dataSync()));
    if (cls === 'Conv2D') {
      const k = layer.getWeights()[0].shape as number[];
      const input = (layer.input as tf.SymbolicTensor).shape;
      const [sh, sw] = cfg.strides as number[];
      const padding = cfg.padding as 'valid' | 'same';
      const gh = convGeometry(input[1] as number, k[0], sh, padding);
      const gw = convGeometry(input[2] as number, k[1], sw, padding);
      out.push({ type: 'conv', kernel: ws[0], bias: ws[1], kh: k[0], kw: k[1], cin: k[2], cout: k[3],
        sh, sw, padding, inH: input[1] as number, inW: input[2] as number, outH: gh.out, outW: gw.out });
    } else if (cls === 'Dense') {
      const k = layer.getWeights()[0].shape as number[];
      out.push({ type: 'dense', kernel: ws[0], bias: ws[1], n: k[0], k: k[1] });
    } else if (cls === 'Flatten' || cls === 'Dropout') {
      out.push({ type: 'identity' });
      continue;
    } else {
      throw new Error(`naive converter: ${cls}`);
    }
    const act = cfg.activation as string;
    if (act === 'relu') out.push({ type: 'relu' });
    else if (act !== 'linear' && act !== 'softmax') throw new Error(`naive converter: ${act}`);
  }
  return out;
}
