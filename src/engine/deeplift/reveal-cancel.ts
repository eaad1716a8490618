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
  return tf.tidy(() => {
    const small = tf.cast(tf.less(tf.abs(t), 0.5 * NEAR_ZERO_THRESHOLD), 'float32');
    const nonNegative = tf.cast(tf.greaterEqual(t, 0), 'float32');
    const negative = tf.cast(tf.less(t, 0), 'float32');
    return tf.sub(
      tf.add(t, tf.mul(NEAR_ZERO_THRESHOLD, tf.mul(small, nonNegative))),
      tf.mul(NEAR_ZERO_THRESHOLD, tf.mul(small, negative)));
  });
}

/** Δy⁺/Δy⁻ of a RevealCancel nonlinearity and the pseudocounted inputs P, N they came from. */
export interface RevealCancelState {
  contribs: PosNeg;
  /** pc(Δx⁺) and pc(Δx⁻). */
  pseudocounted: PosNeg;
}

/**
 * Δy⁺ and Δy⁻ of the nonlinearity.
 * @param input Δx⁺ and Δx⁻ of its input, [1, ...shape]
 * @param inputRef the input's reference activation x₀, same shape
 * Returns new tensors; does not dispose its arguments.
 */
export function revealCancelContribs(
  activation: ElementwiseActivation, input: PosNeg, inputRef: tf.Tensor,
): RevealCancelState {
  return tf.tidy(() => {
    const p = pseudocountNearZero(input.pos);
    const n = pseudocountNearZero(input.neg);
    const f = (t: tf.Tensor) => activation.apply(t);
    const refP = tf.add(inputRef, p);
    const refN = tf.add(inputRef, n);
    const fRef = f(inputRef);
    const fRefP = f(refP);
    const fRefN = f(refN);
    const pos = tf.mul(0.5, tf.add(tf.sub(fRefP, fRef), tf.sub(f(tf.add(refN, p)), fRefN)));
    const neg = tf.mul(0.5, tf.add(tf.sub(fRefN, fRef), tf.sub(f(tf.add(refP, n)), fRefP)));
    return { contribs: { pos, neg }, pseudocounted: { pos: p, neg: n } };
  });
}

/**
 * The RevealCancel scale factors Δy⁺/pc(Δx⁺) and Δy⁻/pc(Δx⁻) (the
 * denominators are the pseudocounted inputs already formed by
 * `revealCancelContribs`). Returns new tensors; does not dispose its arguments.
 */
export function revealCancelFactors(state: RevealCancelState): PosNeg {
  return tf.tidy(() => ({
    pos: tf.div(state.contribs.pos, state.pseudocounted.pos),
    neg: tf.div(state.contribs.neg, state.pseudocounted.neg),
  }));
}
