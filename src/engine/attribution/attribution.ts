/**
 * The common vocabulary of the attribution methods (gradient, guided
 * backprop, gradient × input, integrated gradients, DeepLIFT Rescale /
 * RevealCancel, DeepLIFT-SHAP): their options, their one result shape, and
 * the helpers they share (which logit to explain, the seeded gradient).
 *
 * Every method explains a pre-softmax logit t_k, or with a contrast j the
 * difference t_k − t_j ("why k rather than j"), of one input [1, ...shape].
 * For the methods linear in the explained output (gradient × input,
 * integrated gradients, DeepLIFT) the contrast map is the attribution of
 * t_k − t_j; for saliency and guided backprop, whose backward pass is not
 * linear in its seed, it is S_k − S_j, the score difference that Shrikumar
 * et al. 2017 §4.1 rank pixels by.
 */
import * as tf from '@tensorflow/tfjs';
import { checkClass, type DeepLiftRule } from '../deeplift/deeplift';
import { logitsFunction } from './logits-function';

export interface AttributionOptions {
  /** Logit to explain; default: the predicted class of the input. */
  target?: number;
  /** Explain target rather than contrast (default none). */
  contrast?: number | null;
  /** Reference x₀, same size as the input; default zeros (black). Not disposed. */
  reference?: tf.Tensor;
  /** Integrated gradients: number of Riemann steps (default 50). */
  steps?: number;
  /** Integrated gradients: interpolated inputs per backward pass (default 64); lower bounds memory on large inputs. */
  maxBatch?: number;
  /** DeepLIFT-SHAP: the references, [K, ...inputShape]. Not disposed. */
  references?: tf.Tensor;
  /** DeepLIFT-SHAP without `references`: how many noised copies of `reference` (default 10). */
  referenceCount?: number;
  /** DeepLIFT-SHAP: the DeepLIFT rule (default 'rescale'). */
  rule?: DeepLiftRule;
}

/** Spread of DeepLIFT-SHAP over its references. */
export interface ReferenceSpread {
  references: number;
  /** Per-pixel population standard deviation of the attributions, input-shaped. */
  pixelStd: Float32Array;
  /** Mean and population std over references of Σ attributions. */
  sumMean: number;
  sumStd: number;
  /** Mean and std over references of Δt. */
  deltaMean: number;
  deltaStd: number;
}

export interface AttributionResult {
  /** The method's command-line name, e.g. 'integrated-gradients'. */
  method: string;
  /** Input shape, e.g. [1, 28, 28, 1]. */
  shape: number[];
  /** Scores, input-shaped, row-major (owned by the caller). */
  attributions: Float32Array;
  target: number;
  contrast: number | null;
  /** Σ attributions. */
  sum: number;
  /** Δt = t(x) − t(x₀) of the explained quantity; null for methods without a reference (gradient, guided backprop). */
  delta: number | null;
  /** |Σ − Δt|; null where Δt is. */
  completenessError: number | null;
  /** Pre-softmax logits of the input. */
  logits: number[];
  /** DeepLIFT-SHAP only. */
  spread?: ReferenceSpread;
}

/** The explained quantity t_k − t_j (or t_k) from a row of logits. */
export function explained(logits: ArrayLike<number>, target: number, contrast: number | null): number {
  return logits[target] - (contrast === null ? 0 : logits[contrast]);
}

export function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

export function checkInput(input: tf.Tensor, reference?: tf.Tensor): void {
  if (input.shape[0] !== 1) throw new RangeError(`input must have batch 1, got shape [${input.shape}]`);
  if (reference && reference.size !== input.size) {
    throw new RangeError(`reference shape [${reference.shape}] does not match the input's [${input.shape}]`);
  }
}

/** Number of logits of `model` (its output width). */
export function numClassesOf(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] as number;
}

/**
 * Resolves target (the predicted class when absent: one forward pass, read
 * back) and contrast. `logits` are the input's logits when that forward ran,
 * else null (the method reads them back with its own result).
 * @param input [1, ...shape]; not disposed.
 */
export async function resolveClasses(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions,
): Promise<{ target: number; contrast: number | null; logits: number[] | null }> {
  const numClasses = numClassesOf(model);
  let logits: number[] | null = null;
  if (options.target === undefined) {
    const t = logitsFunction(model)(input);
    try {
      logits = Array.from(await t.data());
    } finally {
      t.dispose();
    }
  }
  const contrast = options.contrast ?? null;
  const target = options.target ?? argMax(logits as number[]);
  checkClass(target, numClasses, 'target');
  if (contrast !== null) checkClass(contrast, numClasses, 'contrast');
  return { target, contrast, logits };
}

/** [rows, K] float32 with row r = Σ coefficients on classes, e.g. eₖ − eⱼ. */
export function seedRows(numClasses: number, rows: Array<Array<[number, number]>>): tf.Tensor2D {
  const data = new Float32Array(rows.length * numClasses);
  rows.forEach((terms, r) => {
    for (const [k, c] of terms) data[r * numClasses + k] += c;
  });
  return tf.tensor2d(data, [rows.length, numClasses]);
}

/**
 * Gradients of Σ_b ⟨seeds_b, logits(x_b)⟩ w.r.t. x: row b is ∂⟨seeds_b, t(x_b)⟩/∂x_b
 * (rows are independent at inference). Also returns the logits of x.
 * @param x [B, ...shape]; seeds [B, K]. Neither is disposed; the caller owns both results
 * and must dispose `logits` itself even inside a tf.tidy (it is kept out of the gradient's scope).
 */
export function seededGradients(
  model: tf.LayersModel, x: tf.Tensor, seeds: tf.Tensor, guided = false,
): { gradients: tf.Tensor; logits: tf.Tensor } {
  return seededGradientsOf(logitsFunction(model, guided), x, seeds);
}

/** `seededGradients` through any differentiable logits function `f` of x. */
export function seededGradientsOf(
  f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, seeds: tf.Tensor,
): { gradients: tf.Tensor; logits: tf.Tensor } {
  let logits: tf.Tensor | null = null;
  const gradients = tf.grad((z: tf.Tensor) => {
    const l = f(z);
    logits = tf.keep(l);
    return tf.sum(tf.mul(l, seeds));
  })(x);
  return { gradients, logits: logits as unknown as tf.Tensor };
}

/** Σ of a typed array in float64. */
export function sumOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Δt and |Σ − Δt| from the logits of input and reference. */
export function completeness(
  sum: number, logits: ArrayLike<number>, referenceLogits: ArrayLike<number>, target: number, contrast: number | null,
): { delta: number; completenessError: number } {
  const delta = explained(logits, target, contrast) - explained(referenceLogits, target, contrast);
  return { delta, completenessError: Math.abs(sum - delta) };
}
