/**
 * Random jitter for Deep Dream: before each gradient step the image is rolled
 * (shifted circularly) by a random offset and the gradient rolled back, so the
 * network's stride grid lands on different pixels each step and no grid
 * pattern builds up (Mordvintsev et al., "Inceptionism", 2015; the original
 * deepdream notebook's `np.roll`). Randomness comes from a seeded PRNG so a
 * run is reproducible from its seed; nothing here uses Math.random.
 */
import * as tf from '@tensorflow/tfjs';

/** A PRNG returning floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast, seeded 32-bit PRNG (good enough for jitter). */
export function createRng(seed: number): Rng {
  let a = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer uniformly in [-max, max]. */
export function randomShift(rng: Rng, max: number): number {
  const m = Math.max(0, Math.floor(max));
  return Math.floor(rng() * (2 * m + 1)) - m;
}

/** Circular shift of one axis by `shift` (positive moves content towards higher indices). */
function rollAxis<T extends tf.Tensor>(x: T, shift: number, axis: number): T {
  const n = x.shape[axis];
  const s = ((shift % n) + n) % n;
  if (s === 0) return x.clone();
  const [head, tail] = tf.split(x, [n - s, s], axis);
  return tf.concat([tail, head], axis) as T;
}

/**
 * Rolls a [1, h, w, c] (or [h, w, c]) tensor by (dy, dx) pixels, wrapping
 * around, like numpy's `np.roll(x, (dy, dx), (h, w))`. Returns a new tensor;
 * does not dispose the input. roll(roll(x, dy, dx), -dy, -dx) equals x.
 */
export function roll<T extends tf.Tensor3D | tf.Tensor4D>(x: T, dy: number, dx: number): T {
  const hAxis = x.rank - 3;
  return tf.tidy(() => rollAxis(rollAxis(x, dy, hAxis), dx, hAxis + 1));
}
