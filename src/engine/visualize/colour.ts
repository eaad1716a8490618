/**
 * Decorrelated colour space and the squashing to valid pixels, as in the
 * Distill "Feature Visualization" article's preconditioning and its lucid
 * code's `to_valid_rgb`: the optimised image lives in a space whose three axes
 * are uncorrelated over natural images; it is mapped to RGB by the square root
 * of ImageNet's colour correlation matrix (published in lucid, computed there
 * from ImageNet; its columns normalised so the largest has norm 1), then a
 * sigmoid keeps every value in (0, 1) with a gradient everywhere (clipping
 * would stop the gradient of saturated pixels).
 */
import * as tf from '@tensorflow/tfjs';

/** √ of ImageNet's RGB correlation (rows R, G, B; columns: decorrelated axes). */
const COLOUR_CORRELATION_SQRT = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];

/** The matrix M with rgb = M · decorrelated, columns scaled so the largest has norm 1. */
export function colourMatrix(): number[][] {
  const norms = [0, 1, 2].map((j) => Math.hypot(...COLOUR_CORRELATION_SQRT.map((row) => row[j])));
  const max = Math.max(...norms);
  return COLOUR_CORRELATION_SQRT.map((row) => row.map((v) => v / max));
}

/**
 * [h, w, 3] decorrelated values → [h, w, 3] RGB in (0, 1): sigmoid(M · t).
 * Differentiable; does not dispose its input.
 */
export function toValidRgb(decorrelated: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w] = decorrelated.shape;
    const mT = tf.transpose(tf.tensor2d(colourMatrix()));
    const rgb = tf.matMul(tf.reshape(decorrelated, [h * w, 3]), mT);
    return tf.sigmoid(tf.reshape(rgb, [h, w, 3])) as tf.Tensor3D;
  });
}
