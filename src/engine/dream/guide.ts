/**
 * Guided Deep Dream, the "guide" objective of the original deepdream notebook
 * (Mordvintsev, Olah & Tyka, 2015): instead of amplifying whatever the layer
 * already sees, every position of the dreamed image is pulled towards the
 * guide image's feature vector it matches best. At the chosen layer, with x_p
 * the dreamed image's feature vector at position p and g_1 … g_n those of the
 * guide, the objective is the mean over p of max_k x_p · g_k. Its gradient
 * with respect to x_p is the best-matching g_k (max passes the gradient to the
 * arg max), so each step moves the image's features towards the guide's.
 *
 * The guide's features are computed once (`guideFeatures`), at the guide's own
 * size: matching compares feature vectors, not positions, so the dreamed
 * image's size or octave does not matter. The caller owns and disposes them.
 */
import * as tf from '@tensorflow/tfjs';
import type { DreamModel } from '../models/dream-model';

/** A guide for one layer: the guide image's feature vectors there, [n positions, channels]. */
export interface DreamGuide {
  layer: string;
  features: tf.Tensor2D;
}

/** Thrown when the guide image cannot be used (too small, not RGB). */
export class BadGuideError extends Error {
  override name = 'BadGuideError';
}

/**
 * The guide image's feature vectors at `layer`: `guide` is [h, w, 3] float32 in
 * 0..255 (not disposed). Returns [h'·w', c]; the caller owns it.
 */
export function guideFeatures(model: DreamModel, layer: string, guide: tf.Tensor3D): tf.Tensor2D {
  const [height, width, depth] = guide.shape;
  if (depth !== 3 || Math.min(width, height) < model.minSide) {
    throw new BadGuideError(`the guide image must be RGB and at least ${model.minSide}×${model.minSide} pixels (got ${width}×${height})`);
  }
  const sub = model.forLayers([layer]);
  return tf.tidy(() => {
    const x = tf.add(tf.mul(guide, model.input.scale), model.input.offset).expandDims(0);
    const out = sub.apply(x, { training: false }) as tf.Tensor;
    const channels = out.shape[out.shape.length - 1];
    return tf.reshape(out, [-1, channels]) as tf.Tensor2D;
  });
}

/**
 * activation: [1, h, w, c] of the dreamed image at the guide's layer; features:
 * [n, c] from `guideFeatures`. Returns the mean over the h·w positions of the
 * best (largest) dot product with a guide feature vector; the caller owns the
 * scalar; disposes neither input. Differentiable.
 */
export function guideObjective(activation: tf.Tensor, features: tf.Tensor2D): tf.Scalar {
  const channels = activation.shape[activation.shape.length - 1];
  if (features.shape[1] !== channels) {
    throw new RangeError(`the guide has ${features.shape[1]} channels but the layer has ${channels}`);
  }
  return tf.tidy(() => {
    const x = tf.reshape(activation, [-1, channels]) as tf.Tensor2D;
    const dots = tf.matMul(x, features, false, true);
    return tf.mean(tf.max(dots, 1));
  });
}

/**
 * How much an image looks like the guide at a layer (a quality measure, not
 * optimised): the mean over the image's positions of the best cosine
 * similarity between its feature vector and any of the guide's. 1 = every
 * position has a guide feature pointing the same way. Disposes neither input.
 */
export function guideSimilarity(activation: tf.Tensor, features: tf.Tensor2D): number {
  return tf.tidy(() => {
    const channels = activation.shape[activation.shape.length - 1];
    const unit = (t: tf.Tensor2D): tf.Tensor2D => tf.div(t, tf.add(tf.norm(t, 'euclidean', 1, true), 1e-8));
    const x = unit(tf.reshape(activation, [-1, channels]) as tf.Tensor2D);
    return tf.mean(tf.max(tf.matMul(x, unit(features), false, true), 1)).dataSync()[0];
  });
}
