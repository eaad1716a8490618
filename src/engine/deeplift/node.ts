/**
 * The building blocks shared by every DeepLIFT layer rule: the node
 * interface, the per-call context (activations, references, differences
 * from reference, positive/negative contributions) and the constants of the
 * authors' reference code (kundajelab/deeplift, TF version).
 *
 * Vocabulary (paper §2–3, reference code names in brackets):
 * - act / ref: a layer's activation for the input x and for the reference
 *   x₀ [`_activation_vars`, `_reference_vars`]; Δ = act − ref, computed by
 *   subtracting the two forward values [`_build_diff_from_reference_vars`]
 *   (never by propagating Δ), because the masks below test Δ exactly.
 * - pos/neg contributions Δ⁺/Δ⁻ of a layer [`get_pos_and_neg_contribs`]:
 *   only RevealCancel consumes them, so they are computed lazily.
 * - pos/neg multipliers m⁺/m⁻ [`_pos_mxts`, `_neg_mxts`]: propagated
 *   backwards; when no RevealCancel layer is crossed they are the same
 *   tensor, which the rules use to take a cheaper, algebraically identical
 *   path.
 */
import * as tf from '@tensorflow/tfjs';

/** `deeplift.util.NEAR_ZERO_THRESHOLD` = 10⁻⁷. */
export const NEAR_ZERO_THRESHOLD = 1e-7;

export type Rule = 'rescale' | 'revealcancel';
export type PoolMode = 'gradient' | 'crossmax';

/** Positive and negative multipliers of one layer; `pos === neg` when they coincide. */
export interface Multipliers {
  /** [B, ...layerShape] float32, B = number of seeded targets. */
  pos: tf.Tensor;
  neg: tf.Tensor;
}

/** Positive and negative contributions (same shape as the layer's activation: batch 1, N images, or the tiled rows). */
export interface PosNeg {
  pos: tf.Tensor;
  neg: tf.Tensor;
}

/** Read access to one DeepLIFT call's forward state. */
export interface DeepLiftContext {
  readonly rule: Rule;
  readonly poolMode: PoolMode;
  /** Activation of node `i` for the input x: [1 or N (or the tiled rows), ...shape]. */
  act(i: number): tf.Tensor;
  /** Activation of node `i` for the reference x₀: same batch as `act`. */
  ref(i: number): tf.Tensor;
  /** Δ = act − ref of node `i` (memoised). */
  delta(i: number): tf.Tensor;
  /** Positive/negative contributions of node `i` (memoised, lazy). */
  posNeg(i: number): PosNeg;
  /**
   * A per-call value of node `i` named `name`, made by `make` on first use
   * and memoised (a rule's factors). The context owns it.
   */
  memo<T extends tf.Tensor | PosNeg>(i: number, name: string, make: () => T): T;
}

/** One layer of the converted network (a Keras layer may become two: linear + activation). */
export interface DeepLiftNode {
  /** Keras layer name, for messages. */
  readonly name: string;
  /** Keras class name, for messages. */
  readonly className: string;
  /** Indices of the input nodes in the plan. */
  readonly inputs: readonly number[];
  /** Shape without the batch dimension. */
  readonly shape: readonly number[];
  /** Forward value from the input nodes' values (any batch size). */
  forward(inputs: tf.Tensor[]): tf.Tensor;
  /**
   * Linear layers only: Δy from the inputs' Δ (the map without its bias).
   * Propagating Δ through linear layers, instead of subtracting two
   * forward values, keeps float32 rounding relative to |Δ| rather than to
   * |activation|, so Σ C = Δt holds to float32 precision on deep networks.
   * Nonlinear nodes leave it undefined: their Δy = f(x) − f(x₀).
   */
  forwardDelta?(deltas: tf.Tensor[]): tf.Tensor;
  /** This node's Δ⁺/Δ⁻ given the context (node index `self`). */
  posNeg(ctx: DeepLiftContext, self: number): PosNeg;
  /**
   * True when this node's Δ⁺/Δ⁻ come from Δ values alone (its own or its
   * input's), not from its inputs' Δ⁺/Δ⁻ (Dense/Conv, max pooling, the
   * input). Unset: they are derived from the inputs' (the conservative default).
   */
  readonly posNegFromDelta?: boolean;
  /**
   * Reads through `ctx` everything `backward` will read from it (and makes
   * the memos it needs), so that a lean context keeps exactly those values
   * and frees the rest of the forward state as the forward pass moves on.
   * Unset: `backward` reads nothing from the context.
   */
  prepareBackward?(ctx: DeepLiftContext, self: number): void;
  /**
   * Multiplier increments for each input, given this node's multipliers.
   * Creates only the tensors it returns (it runs inside a tf.tidy), and
   * reads from `ctx` only what `prepareBackward` read.
   */
  backward(ctx: DeepLiftContext, self: number, m: Multipliers): Multipliers[];
  /** Frees cached weight tensors. */
  dispose(): void;
}

/** hf.gt_mask: 1 where x > v else 0, float32. */
export function gtMask(x: tf.Tensor, v = 0): tf.Tensor {
  return tf.cast(tf.greater(x, v), 'float32');
}

/** hf.lt_mask: 1 where x < v else 0, float32. */
export function ltMask(x: tf.Tensor, v = 0): tf.Tensor {
  return tf.cast(tf.less(x, v), 'float32');
}

/** Δ⁺ = Δ·[Δ > 0] and Δ⁻ = Δ·[Δ < 0] (`Input._build_pos_and_neg_contribs`). */
export function splitBySign(delta: tf.Tensor): PosNeg {
  // Δ·[Δ>0] = relu(Δ) and Δ·[Δ<0] = Δ − relu(Δ), exactly: two ops instead of six (tf.minimum is slow on WASM).
  const pos = tf.relu(delta);
  return { pos, neg: tf.sub(delta, pos) };
}

/** Applies a linear map to both multipliers, once when they coincide. */
export function mapMultipliers(m: Multipliers, f: (t: tf.Tensor) => tf.Tensor): Multipliers {
  const pos = f(m.pos);
  return { pos, neg: m.neg === m.pos ? pos : f(m.neg) };
}

/** Applies a linear map to both contributions. */
export function mapPosNeg(c: PosNeg, f: (t: tf.Tensor) => tf.Tensor): PosNeg {
  return { pos: f(c.pos), neg: f(c.neg) };
}

/**
 * The [h, w] window at (top, left) of a [B, H, W, C] tensor; `t` itself when
 * that is all of it. Sliced as [B, H, W·C] (the same values): tfjs-backend-wasm
 * copies a slice one innermost run at a time, and runs of C values (C = 1
 * or 3 at the input) make the 4-D slice ~C× slower than it need be.
 */
export function cropHW(t: tf.Tensor, top: number, left: number, h: number, w: number): tf.Tensor {
  const [b, fullH, fullW, c] = t.shape as number[];
  if (top === 0 && left === 0 && h === fullH && w === fullW) return t;
  const rows = tf.slice(tf.reshape(t, [b, fullH, fullW * c]), [0, top, left * c], [b, h, w * c]);
  return tf.reshape(rows, [b, h, w, c]);
}

/**
 * `t` stacked `times` times along the batch axis ([t; t; …]); `t` itself
 * once. One image is broadcast by a multiply with ones (exact) and a batch
 * concatenated: tfjs-backend-wasm's tile visits every element (~7× slower).
 */
export function repeatBatch(t: tf.Tensor, times: number): tf.Tensor {
  if (times === 1) return t;
  if (t.shape[0] === 1) return tf.mul(t, tf.ones([times, ...t.shape.slice(1).map(() => 1)]));
  return tf.concat(new Array<tf.Tensor>(times).fill(t), 0);
}
