/**
 * Runs several attribution methods on one input, for the app's Compare and
 * Erase-to-convert views (the same loop as the masking experiment,
 * Shrikumar et al. 2017 §4.1, on a single digit):
 * - `compareMethods`: each method's map of the same target (and contrast),
 *   its Σ, Δt, completeness error and wall time;
 * - `erasureCurves`: for an original class c_o and a target class c_t,
 *   each method's erasure order (pixels with S_o − S_t > 0, best first, up
 *   to 157) and the change in log-odds t_o − t_t after erasing 0 … 157 of
 *   them (one batched forward per method), so a slider can show any count
 *   without more computation.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttributionOptions, AttributionResult } from './attribution';
import { erasureOrder, logOddsCurve, MAX_ERASED_PIXELS } from './masking';
import { ATTRIBUTION_METHODS, type MethodName } from './methods';

export interface TimedAttribution extends AttributionResult {
  /** Wall-clock milliseconds of the method, readback included. */
  ms: number;
}

/**
 * Each of `methods` on `input` with the same options, one after another.
 * @param input [1, ...shape]; not disposed (nor are the options' tensors).
 * @param signal checked between methods (throws its reason / an AbortError).
 */
export async function compareMethods(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions, methods: readonly MethodName[],
  signal?: AbortSignal,
): Promise<TimedAttribution[]> {
  const out: TimedAttribution[] = [];
  let target = options.target;
  for (const method of methods) {
    signal?.throwIfAborted();
    const t0 = performance.now();
    const r = await ATTRIBUTION_METHODS[method](model, input, { ...options, target });
    // Every method explains the same class, even when the first one chose it.
    target = r.target;
    out.push({ ...r, ms: performance.now() - t0 });
  }
  return out;
}

export interface ErasureCurve {
  method: MethodName;
  /** Pixel indices to erase, best first (length ≤ 157; shorter when fewer scores are positive). */
  order: Int32Array;
  /** change[k] = log-odds before − after erasing k pixels, k = 0 … 157. */
  change: Float32Array;
  /** Milliseconds for the attribution. */
  ms: number;
}

/**
 * Erasure orders and log-odds curves of `methods` for turning `original`
 * into `target` by setting pixels to `reference01` (black in the paper).
 * @param pixels01 the input, n values in [0, 1]; reference01 n values; shape the model input without batch.
 */
export async function erasureCurves(
  model: tf.LayersModel, pixels01: Float32Array, reference01: Float32Array, shape: number[],
  original: number, target: number, options: Omit<AttributionOptions, 'target' | 'contrast' | 'reference'>,
  methods: readonly MethodName[], signal?: AbortSignal,
): Promise<{ logOddsBefore: number; curves: ErasureCurve[] }> {
  if (original === target) throw new RangeError('original and target classes must differ');
  const input = tf.tensor(pixels01, [1, ...shape], 'float32');
  const reference = tf.tensor(reference01, [1, ...shape], 'float32');
  const curves: ErasureCurve[] = [];
  let logOddsBefore = 0;
  try {
    for (const method of methods) {
      signal?.throwIfAborted();
      const t0 = performance.now();
      const r = await ATTRIBUTION_METHODS[method](model, input, { ...options, target: original, contrast: target, reference });
      const ms = performance.now() - t0;
      const order = erasureOrder(r.attributions, MAX_ERASED_PIXELS);
      const { logOdds, change } = await logOddsCurve(model, pixels01, reference01, shape, order, original, target);
      logOddsBefore = logOdds[0];
      curves.push({ method, order, change: Float32Array.from(change), ms });
    }
  } finally {
    input.dispose();
    reference.dispose();
  }
  return { logOddsBefore, curves };
}

export { eraseFirst } from './erase-first';
