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
 * Below this many elements a layer's Rescale factor uses tf.where (fewer kernels); above, the
 * arithmetic form (WASM's comparison and select kernels cost ~4× an arithmetic one per element).
 * Both give the same values (up to the sign of a zero factor).
 */
const FEW_ELEMENTS = 16384;

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
    if (deltaX.size <= FEW_ELEMENTS) {
      // Small layers: the number of kernels is the cost, so the direct form (5 kernels, not 10).
      return tf.where(tf.less(tf.abs(deltaX), NEAR_ZERO_THRESHOLD), activation.derivative(referenceY), tf.div(deltaY, deltaX));
    }
    // where(|Δx| < t, f′(y₀), Δy/Δx) in arithmetic (WASM's comparisons and select are slow), the same
    // values: near = [t − |Δx| > 0] ∈ {0, 1} (the rounded difference has the exact one's sign); the
    // division sees Δx + near (Δx itself where it counts, never 0); q·(1 − near) + f′·near picks one
    // term exactly (the other is ±0).
    const near = tf.step(tf.sub(NEAR_ZERO_THRESHOLD, tf.abs(deltaX)));
    const quotient = tf.div(deltaY, tf.add(deltaX, near));
    return tf.add(tf.mul(quotient, tf.sub(1, near)), tf.mul(activation.derivative(referenceY), near));
  });
}
