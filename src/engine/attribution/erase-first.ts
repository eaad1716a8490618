/**
 * Erasing the first pixels of an erasure order (masking.ts), in plain
 * TypeScript so the app's main thread can redraw an erased digit as a
 * slider moves without loading tfjs.
 */

/** The input with the first min(count, order.length) pixels of `order` set to the reference (a new array). */
export function eraseFirst(pixels01: Float32Array, reference01: Float32Array, order: ArrayLike<number>, count: number): Float32Array {
  const out = pixels01.slice();
  const n = Math.min(count, order.length);
  for (let k = 0; k < n; k++) out[order[k]] = reference01[order[k]];
  return out;
}
