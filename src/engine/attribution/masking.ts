/**
 * The pixel-erasing ("masking") evaluation of Shrikumar et al. 2017, §4.1
 * and figure 5: to turn a digit of class c_o into one of class c_t, rank
 * the pixels by S_o − S_t (scores of an attribution method for the two
 * logits, or directly its map of t_o − t_t), keep those with a positive
 * difference, and erase (set to the reference value, black in the paper)
 * the best-ranked ones, up to 157 pixels (20 % of the 28 × 28 image). A good
 * method makes the log-odds log(p_o/p_t) = t_o − t_t fall fast; the score
 * is its change, before minus after, as a function of the pixels erased.
 * Pure TypeScript except `logOddsCurve`, which runs one batched forward.
 */
import * as tf from '@tensorflow/tfjs';
import { logitsFunction } from './logits-function';

import { MAX_ERASED_PIXELS } from './method-names';

export { MAX_ERASED_PIXELS };

/**
 * Indices of the pixels to erase, best first: those with score > 0 (NaN
 * excluded), by decreasing score (ties: lower index first), at most `max`.
 */
export function erasureOrder(scoreDifference: ArrayLike<number>, max = MAX_ERASED_PIXELS): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < scoreDifference.length; i++) if (scoreDifference[i] > 0) idx.push(i);
  idx.sort((a, b) => scoreDifference[b] - scoreDifference[a] || a - b);
  return Int32Array.from(idx.slice(0, Math.max(0, max)));
}

/**
 * The erased variants: row k (k = 0 … max) is `pixels` with the first
 * min(k, order.length) pixels of `order` set to `reference`'s values.
 * @param pixels n values (e.g. 784 in [0, 1]); reference n values.
 * @returns (max + 1) × n, row-major.
 */
export function erasedVariants(
  pixels: ArrayLike<number>, reference: ArrayLike<number>, order: ArrayLike<number>, max = MAX_ERASED_PIXELS,
): Float32Array {
  const n = pixels.length;
  if (reference.length !== n) throw new RangeError(`reference has ${reference.length} values, input ${n}`);
  const out = new Float32Array((max + 1) * n);
  const row = Float32Array.from(pixels);
  out.set(row, 0);
  for (let k = 1; k <= max; k++) {
    if (k <= order.length) {
      const p = order[k - 1];
      row[p] = reference[p];
    }
    out.set(row, k * n);
  }
  return out;
}

/**
 * Log-odds t_o − t_t of every erased variant, and its change from the
 * unerased input: change[k] = lo[0] − lo[k] (positive: moved towards c_t).
 * One batched forward of max + 1 images.
 * @param pixels the input's n values; shape the model's input shape without batch (e.g. [28, 28, 1]).
 */
export async function logOddsCurve(
  model: tf.LayersModel, pixels: ArrayLike<number>, reference: ArrayLike<number>, shape: number[],
  order: ArrayLike<number>, original: number, target: number, max = MAX_ERASED_PIXELS,
): Promise<{ logOdds: Float64Array; change: Float64Array }> {
  const variants = erasedVariants(pixels, reference, order, max);
  const lo = tf.tidy(() => {
    const logits = logitsFunction(model)(tf.tensor(variants, [max + 1, ...shape], 'float32'));
    return tf.sub(tf.slice(logits, [0, original], [-1, 1]), tf.slice(logits, [0, target], [-1, 1]));
  });
  let data: Float32Array;
  try {
    data = (await lo.data()) as Float32Array;
  } finally {
    lo.dispose();
  }
  const logOdds = Float64Array.from(data);
  const change = logOdds.map((v) => logOdds[0] - v);
  return { logOdds, change };
}
