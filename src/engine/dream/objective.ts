/**
 * The quantity Deep Dream climbs: how strongly chosen layers (or one channel
 * of one layer) respond to the image. `mean` is the layer's mean activation
 * (TensorFlow's DeepDream tutorial); `l2` is the mean of squared activations
 * (the original deepdream notebook's `objective_L2`), which rewards the
 * strongest responses more and gives clearer patterns from deep layers in
 * short runs. A weighted mix of layers adds their objectives.
 */
import * as tf from '@tensorflow/tfjs';

export type ObjectiveKind = 'mean' | 'l2';

/**
 * activations[i]: [1, h, w, c] output of the i-th chosen layer; weights[i] its
 * weight; channel: one channel index of every chosen layer, or null for all.
 * Returns a scalar the caller owns; does not dispose the activations.
 * Differentiable, so it runs inside tf.grad.
 */
export function dreamObjective(activations: readonly tf.Tensor[], weights: readonly number[], channel: number | null, kind: ObjectiveKind): tf.Scalar {
  if (activations.length !== weights.length) throw new RangeError('one weight per layer is needed');
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    activations.forEach((a, i) => {
      const chosen = channel === null ? a : tf.slice(a, [0, 0, 0, channel], [-1, -1, -1, 1]);
      const value = kind === 'l2' ? tf.mean(tf.square(chosen)) : tf.mean(chosen);
      total = tf.add(total, tf.mul(value, weights[i]));
    });
    return total;
  });
}
