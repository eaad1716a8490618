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
 * weight; channel: one channel index of every chosen layer, or null for all,
 * or one entry per layer (a channel or null).
 * Returns a scalar the caller owns; does not dispose the activations.
 * Differentiable, so it runs inside tf.grad.
 */
export function dreamObjective(
  activations: readonly tf.Tensor[],
  weights: readonly number[],
  channel: number | null | readonly (number | null)[],
  kind: ObjectiveKind,
): tf.Scalar {
  if (activations.length !== weights.length) throw new RangeError('one weight per layer is needed');
  if (Array.isArray(channel) && channel.length !== activations.length) throw new RangeError('one channel entry per layer is needed');
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    activations.forEach((a, i) => {
      const c = Array.isArray(channel) ? (channel[i] as number | null) : (channel as number | null);
      const chosen = c === null ? a : tf.slice(a, [0, 0, 0, c], [-1, -1, -1, 1]);
      const value = kind === 'l2' ? tf.mean(tf.square(chosen)) : tf.mean(chosen);
      total = tf.add(total, tf.mul(value, weights[i]));
    });
    return total;
  });
}

/**
 * What a feature visualisation maximises (Distill "Feature Visualization",
 * figure "Different optimization objectives"): `channel`, the mean activation
 * of one channel over all positions; `neuron`, that channel at the centre
 * position only; `layer`, the whole layer's mean squared activation (the Deep
 * Dream objective); `negative`, minus the channel's mean (what it most dislikes).
 */
export type VisualizationObjective = 'channel' | 'neuron' | 'layer' | 'negative';

export const VISUALIZATION_OBJECTIVES: readonly VisualizationObjective[] = ['channel', 'neuron', 'layer', 'negative'];

/**
 * activation: [1, h, w, c] output of the visualised layer. Returns a scalar to
 * maximise; the caller owns it; does not dispose the activation. `channel` is
 * ignored for `layer`. Differentiable.
 */
export function visualizationObjective(activation: tf.Tensor, kind: VisualizationObjective, channel: number): tf.Scalar {
  return tf.tidy(() => {
    if (kind === 'layer') return dreamObjective([activation], [1], null, 'l2');
    if (kind === 'neuron') {
      const [, h, w] = activation.shape;
      return tf.reshape(tf.slice(activation, [0, Math.floor(h / 2), Math.floor(w / 2), channel], [1, 1, 1, 1]), []) as tf.Scalar;
    }
    const mean = dreamObjective([activation], [1], channel, 'mean');
    return kind === 'negative' ? tf.neg(mean) : mean;
  });
}
