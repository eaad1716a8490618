/**
 * Gaussian smoothing of the Deep Dream gradient. Plain gradient ascent on deep
 * layers (mixed4, mixed5) of small images is dominated by high-frequency,
 * colourful pixel noise; blurring the gradient before the step removes the
 * frequencies the eye reads as noise and keeps the patterns (gradient
 * smoothing as in later DeepDream variants, a cheap relative of the
 * Laplacian-pyramid normalisation of TensorFlow's DeepDream notebook).
 */
import * as tf from '@tensorflow/tfjs';

/** Normalised 1-D Gaussian taps for `sigma` px, radius ⌈2σ⌉. */
export function gaussianTaps(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(2 * sigma));
  const taps = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    taps[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= sum;
  return taps;
}

/**
 * Blurs each channel of a [1, h, w, c] tensor with a separable Gaussian of
 * `sigma` px ('same' padding, zeros outside). sigma ≤ 0 returns a clone.
 * Returns a new tensor; does not dispose the input.
 */
export function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  if (!(sigma > 0)) return x.clone();
  return tf.tidy(() => {
    const c = x.shape[3];
    const taps = gaussianTaps(sigma);
    const k = taps.length;
    const kernel = tf.tensor1d(taps);
    const rows = tf.tile(kernel.reshape([k, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const cols = tf.tile(kernel.reshape([1, k, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    return tf.depthwiseConv2d(tf.depthwiseConv2d(x, rows, 1, 'same'), cols, 1, 'same');
  });
}
