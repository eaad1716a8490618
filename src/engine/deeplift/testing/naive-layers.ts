/**
 * Where each Keras layer of a Sequential test model ends in the naive
 * float64 layer list of toNaiveLayers (a Conv2D/Dense with a ReLU becomes two
 * naive layers), so hidden-layer tests can cut the naive network at a layer;
 * and the comparisons and clean-up those tests share.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { releaseDeepLiftCache } from '../deeplift';

/** Number of naive layers up to and including Keras layer `name`'s output. */
export function naivePrefixLength(model: tf.LayersModel, name: string): number {
  let n = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    n += 1;
    if ((cls === 'Conv2D' || cls === 'Dense') && (layer.getConfig() as { activation?: string }).activation === 'relu') n += 1;
    if (layer.name === name) return n;
  }
  throw new Error(`no layer ${name}`);
}


/** Largest |a − b| relative to max(1, max|b|). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  let m = 1;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return e / m;
}

export function total(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Disposes the tensors, the model and its DeepLIFT plan, and checks the tensor count is back to `before`. */
export function disposeAndCheck(before: number, model: tf.LayersModel, ...tensors: tf.Tensor[]): void {
  for (const t of tensors) t.dispose();
  releaseDeepLiftCache(model);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
}
