/**
 * Guided backpropagation (Springenberg, Dosovitskiy, Brox, Riedmiller 2015,
 * "Striving for Simplicity: The All Convolutional Net", §3.4): the gradient
 * of the pre-softmax logit t_k, except that every ReLU passes back only
 * positive signals to positive inputs, dx = dy·[x > 0]·[dy > 0]
 * (logits-function.ts). The map is signed; with a contrast j it is
 * GB_k − GB_j (the backward pass is not linear in its seed, so this is not
 * the guided backprop of t_k − t_j). A net without ReLUs gets its plain
 * gradient. No reference: `delta` and `completenessError` are null.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttributionOptions, AttributionResult } from './attribution';
import { gradientScoreDifference } from './gradient';

/**
 * Guided backprop map of t_k (− that of t_j with a contrast).
 * @param input [1, ...shape] float32; not disposed. Disposes everything it creates.
 */
export function guidedBackprop(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions = {},
): Promise<AttributionResult> {
  return gradientScoreDifference(model, input, options, true, (g) => g, 'guided-backprop');
}
