/**
 * DeepLIFT's Rescale rule (Shrikumar et al. 2017, §3.5.2) for an
 * elementwise nonlinearity y = f(x): multiplier m = Δy/Δx.
 *
 * Transcribed from the reference code (kundajelab/deeplift,
 * deeplift/layers/activations.py `Activation._get_naive_rescale_factor`):
 * where |Δx| < NEAR_ZERO_THRESHOLD (10⁻⁷, deeplift/util.py) the factor is the
 * gradient "at the default activation" instead — f′ evaluated at the
 * layer's output reference y₀ (see activations.ts for the exact argument) —
 * and Δy/Δx elsewhere (the reference adds a pseudocount of 1 to near-zero
 * denominators only to avoid a division by zero in the branch it discards;
 * `tf.where` does the same). Positive and negative multipliers are both
 * scaled by this factor, and so are Δx⁺ and Δx⁻ to form Δy⁺ and Δy⁻
 * (`_build_pos_and_neg_contribs`, non-RevealCancel branch).
 */
import * as tf from '@tensorflow/tfjs';
import type { ElementwiseActivation } from './activations';
import { NEAR_ZERO_THRESHOLD } from './node';

/**
 * The Rescale factor, elementwise.
 * @param deltaX Δx of the nonlinearity's input, [1, ...shape]
 * @param deltaY Δy = f(x) − f(x₀), same shape
 * @param referenceY y₀ = f(x₀), same shape (the fallback's argument)
 * Returns a new tensor; does not dispose its arguments.
 */
export function rescaleFactor(
  activation: ElementwiseActivation, deltaX: tf.Tensor, deltaY: tf.Tensor, referenceY: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const nearZero = tf.less(tf.abs(deltaX), NEAR_ZERO_THRESHOLD);
    return tf.where(nearZero, activation.derivative(referenceY), tf.div(deltaY, deltaX));
  });
}
