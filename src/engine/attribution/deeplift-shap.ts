/**
 * DeepLIFT-SHAP (Lundberg & Lee 2017, "A Unified Approach to Interpreting
 * Model Predictions", §4.2 "Deep SHAP"; Shrikumar et al. 2017 §3.2 on the
 * choice of reference): DeepLIFT's contributions averaged over several
 * references r₁…r_K, φ = (1/K) Σ_r C(x; r). Each C(x; r) sums to
 * t(x) − t(r), so Σ φ = t(x) − mean_r t(r). A single reference is a
 * guess; averaging over a distribution of them (digits of the data set,
 * noised or blurred copies of the input) makes the answer depend less on
 * it, and the spread across references (per-pixel std, mean/std of Σ)
 * shows how much it did.
 *
 * Cost: one batched DeepLIFT pass: the input repeated K times against the
 * K references (deepLiftBatch), a forward and a backward pass at batch K.
 */
import * as tf from '@tensorflow/tfjs';
import { deepLiftBatch } from '../deeplift/deeplift';
import { repeatBatch } from '../deeplift/node';
import { type AttributionOptions, type AttributionResult, checkInput, sumOf } from './attribution';

export const DEFAULT_SHAP_REFERENCES = 10;
/** Std of the Gaussian noise of the default references (inputs in [0, 1]). */
export const REFERENCE_NOISE_STD = 0.1;
export const REFERENCE_NOISE_SEED = 4_2017;

/**
 * K references made from `base` (e.g. a black image [1, ...shape]) plus
 * seeded Gaussian noise of std `std`, clipped to [0, 1] (pixel range).
 * Returns [K, ...shape], owned by the caller; `base` is not disposed.
 */
export function noisyReferences(base: tf.Tensor, count: number, std = REFERENCE_NOISE_STD, seed = REFERENCE_NOISE_SEED): tf.Tensor {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`reference count must be a positive integer, got ${count}`);
  return tf.tidy(() => {
    const shape = [count, ...base.shape.slice(1)];
    const noise = tf.randomNormal(shape, 0, std, 'float32', seed);
    return tf.clipByValue(tf.add(base, noise), 0, 1);
  });
}

/**
 * DeepLIFT averaged over references.
 * @param input [1, ...shape] float32; not disposed.
 * options.references [K, ...shape] (not disposed); without it, `referenceCount`
 * (default 10) noised copies of options.reference (default black).
 * options.rule: 'rescale' (default) or 'revealcancel'. Disposes everything it creates.
 */
export async function deepLiftShap(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions = {},
): Promise<AttributionResult> {
  checkInput(input, options.reference);
  const ownRefs = options.references === undefined;
  const refs = options.references ?? tf.tidy(() => noisyReferences(
    options.reference ? tf.reshape(options.reference, input.shape) : tf.zerosLike(input),
    options.referenceCount ?? DEFAULT_SHAP_REFERENCES));
  try {
    const count = refs.shape[0];
    if (refs.size !== count * input.size) {
      throw new RangeError(`references shape [${refs.shape}] is not [K, ${input.shape.slice(1)}]`);
    }
    const n = input.size;
    const mean = new Float64Array(n);
    const meanSq = new Float64Array(n);
    const sums: number[] = [];
    const deltas: number[] = [];
    const contrast = options.contrast ?? null;
    const tiled = tf.tidy(() => repeatBatch(tf.cast(input, 'float32'), count));
    let results;
    try {
      results = await deepLiftBatch(model, tiled, { rule: options.rule ?? 'rescale', target: options.target, contrast, reference: refs });
    } finally {
      tiled.dispose();
    }
    for (const res of results) {
      for (let i = 0; i < n; i++) {
        const v = res.attributions[i];
        mean[i] += v / count;
        meanSq[i] += (v * v) / count;
      }
      sums.push(res.sum);
      deltas.push(res.delta);
    }
    const target = results[0].target;
    const logits = results[0].logits;
    const attributions = Float32Array.from(mean);
    const pixelStd = new Float32Array(n);
    for (let i = 0; i < n; i++) pixelStd[i] = Math.sqrt(Math.max(0, meanSq[i] - mean[i] * mean[i]));
    const stats = (v: number[]) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return { m, s: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) };
    };
    const sumStats = stats(sums);
    const deltaStats = stats(deltas);
    const sum = sumOf(attributions);
    return {
      method: 'deeplift-shap', shape: input.shape.slice(), attributions, target: target as number, contrast,
      sum, delta: deltaStats.m, completenessError: Math.abs(sum - deltaStats.m), logits,
      spread: {
        references: count, pixelStd, sumMean: sumStats.m, sumStd: sumStats.s, deltaMean: deltaStats.m, deltaStd: deltaStats.s,
      },
    };
  } finally {
    if (ownRefs) refs.dispose();
  }
}
