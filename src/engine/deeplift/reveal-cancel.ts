/**
 * DeepLIFT's RevealCancel rule (Shrikumar et al. 2017, §3.5.3) for an
 * elementwise nonlinearity y = f(x): the positive and negative parts of Δx
 * are propagated separately so that cancelling terms are revealed.
 *
 * Transcribed from the reference code (kundajelab/deeplift,
 * deeplift/layers/activations.py `Activation._build_pos_and_neg_contribs`
 * and `_get_mxts_increments_for_inputs`, RevealCancel branches, and
 * deeplift/layers/helper_functions.py `pseudocount_near_zero`):
 * - pc(t) = t + 10⁻⁷ where 0 ≤ t and |t| < ½·10⁻⁷, t − 10⁻⁷ where t < 0 and
 *   |t| < ½·10⁻⁷, t elsewhere (keeps the later division away from zero);
 * - with P = pc(Δx⁺), N = pc(Δx⁻) and x₀ the input's reference:
 *   Δy⁺ = ½[(f(x₀+P) − f(x₀)) + (f(x₀+N+P) − f(x₀+N))]
 *   Δy⁻ = ½[(f(x₀+N) − f(x₀)) + (f(x₀+P+N) − f(x₀+P))]
 *   (x₀+N+P is evaluated as (x₀+N)+P and x₀+P+N as (x₀+P)+N, as written);
 * - multipliers: m⁺_in = m⁺·Δy⁺/P and m⁻_in = m⁻·Δy⁻/N (the denominators
 *   are pseudocounted again, giving the same P and N).
 * Δx⁺/Δx⁻ are the input layer's positive/negative contributions: for a
 * Dense/Conv input they are split by the sign of each wᵢΔxᵢ (linear.ts).
 * Unlike Rescale there is no gradient fallback.
 */
import * as tf from '@tensorflow/tfjs';
import type { ElementwiseActivation } from './activations';
import { NEAR_ZERO_THRESHOLD, type PosNeg } from './node';

/** helper_functions.pseudocount_near_zero. Returns a new tensor. */
export function pseudocountNearZero(t: tf.Tensor): tf.Tensor {
  // t + 10⁻⁷·[small]·[t ≥ 0] − 10⁻⁷·[small]·[t < 0] = t − (10⁻⁷·[small])·s with s = −1 where t ≥ 0
  // and +1 where t < 0: the same values, with steps instead of comparisons and selects (slow on WASM).
  // [small] = step(½·10⁻⁷ − |t|) (the rounded difference has the exact one's sign); s = step(−t, −1)
  // (1 where −t > 0, else −1; t = ±0 counts as t ≥ 0); the shift is ±10⁻⁷ or 0.
  return tf.tidy(() => {
    const shift = tf.mul(tf.step(tf.sub(0.5 * NEAR_ZERO_THRESHOLD, tf.abs(t))), NEAR_ZERO_THRESHOLD);
    return tf.sub(t, tf.mul(shift, tf.step(tf.neg(t), -1)));
  });
}

/** P = pc(Δx⁺) and N = pc(Δx⁻) of the nonlinearity's input contributions. Returns new tensors. */
export function pseudocounted(input: PosNeg): PosNeg {
  return { pos: pseudocountNearZero(input.pos), neg: pseudocountNearZero(input.neg) };
}

/**
 * Δy⁺ and Δy⁻ of the nonlinearity.
 * @param pc P and N (`pseudocounted`), [1, ...shape]
 * @param inputRef the input's reference activation x₀, same shape
 * @param outputRef f(x₀) (the node's own reference value)
 * Returns new tensors; does not dispose its arguments.
 */
export function revealCancelContribs(
  activation: ElementwiseActivation, pc: PosNeg, inputRef: tf.Tensor, outputRef: tf.Tensor,
): PosNeg {
  return tf.tidy(() => {
    const { pos: p, neg: n } = pc;
    const f = (t: tf.Tensor) => activation.apply(t);
    const refP = tf.add(inputRef, p);
    const refN = tf.add(inputRef, n);
    const fRefP = f(refP);
    const fRefN = f(refN);
    const pos = tf.mul(0.5, tf.add(tf.sub(fRefP, outputRef), tf.sub(f(tf.add(refN, p)), fRefN)));
    const neg = tf.mul(0.5, tf.add(tf.sub(fRefN, outputRef), tf.sub(f(tf.add(refP, n)), fRefP)));
    return { pos, neg };
  });
}

/**
 * The RevealCancel scale factors Δy⁺/P and Δy⁻/N (the denominators are
 * the pseudocounted inputs `pseudocounted` formed). Returns new tensors;
 * does not dispose its arguments.
 */
export function revealCancelFactors(contribs: PosNeg, pc: PosNeg): PosNeg {
  return { pos: tf.div(contribs.pos, pc.pos), neg: tf.div(contribs.neg, pc.neg) };
}
