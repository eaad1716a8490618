/**
 * Light data augmentation for MNIST training, on plain Float32Arrays, driven by a
 * seeded PRNG so a training run is reproducible.
 *
 * Why: the app classifies digits drawn with a mouse or pen and uploaded photos, which
 * after MNIST-style preprocessing are still a little off-centre, tilted, bigger or
 * smaller, and thinner or bolder than the MNIST originals. Small random affine maps
 * (shift, rotation, scale) and stroke-width changes (a fraction of a 3×3 dilation or
 * erosion blended in) teach the classifier to tolerate that.
 */
import { IMAGE_SIZE, PIXELS } from './mnist-data';

export interface AugmentOptions {
  /** Maximum shift in pixels along each axis (uniform in ±maxShift). */
  maxShift: number;
  /** Maximum rotation in degrees (uniform in ±maxRotationDeg). */
  maxRotationDeg: number;
  /** Maximum relative scale change (scale uniform in 1 ± maxScale). */
  maxScale: number;
  /** Maximum stroke change: fraction of a dilation (> 0) or erosion (< 0) blended in. */
  maxStroke: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = { maxShift: 2.5, maxRotationDeg: 12, maxScale: 0.1, maxStroke: 0.6 };

/** Uniform in [−1, 1). */
function symmetric(rng: () => number): number {
  return 2 * rng() - 1;
}

/**
 * 3×3 max (dilate) or min (erode) filter over a 28×28 image, zero outside.
 * Writes into `out`; returns it.
 */
function morph(src: Float32Array, out: Float32Array, isDilate: boolean): Float32Array {
  const n = IMAGE_SIZE;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let v = src[y * n + x]!;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          const s = yy < 0 || yy >= n || xx < 0 || xx >= n ? 0 : src[yy * n + xx]!;
          v = isDilate ? Math.max(v, s) : Math.min(v, s);
        }
      }
      out[y * n + x] = v;
    }
  }
  return out;
}

/**
 * Random affine warp (bilinear, zero outside) about the image centre, then a random
 * stroke-width change, clamped to [0, 1].
 * @param image01 784 float32 in [0, 1], light on dark (not modified)
 * @param out     784 float32 to write into (may not alias image01)
 * @returns out
 */
export function augmentDigit(
  image01: Float32Array,
  rng: () => number,
  out: Float32Array = new Float32Array(PIXELS),
  options: AugmentOptions = DEFAULT_AUGMENT,
): Float32Array {
  const n = IMAGE_SIZE;
  const centre = (n - 1) / 2;
  const angle = (symmetric(rng) * options.maxRotationDeg * Math.PI) / 180;
  const scale = 1 + symmetric(rng) * options.maxScale;
  const shiftX = symmetric(rng) * options.maxShift;
  const shiftY = symmetric(rng) * options.maxShift;
  const stroke = symmetric(rng) * options.maxStroke;

  // Inverse map: source = centre + R(−angle) · (target − centre − shift) / scale.
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const u = x - centre - shiftX;
      const v = y - centre - shiftY;
      const sx = centre + cos * u + sin * v;
      const sy = centre - sin * u + cos * v;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let value = 0;
      for (let k = 0; k < 4; k++) {
        const xi = x0 + (k & 1);
        const yi = y0 + (k >> 1);
        if (xi < 0 || xi >= n || yi < 0 || yi >= n) continue;
        const weight = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
        value += weight * image01[yi * n + xi]!;
      }
      out[y * n + x] = value;
    }
  }

  if (stroke !== 0) {
    const filtered = morph(out, new Float32Array(PIXELS), stroke > 0);
    const amount = Math.abs(stroke);
    for (let i = 0; i < PIXELS; i++) out[i] = out[i]! + amount * (filtered[i]! - out[i]!);
  }
  for (let i = 0; i < PIXELS; i++) out[i] = Math.min(1, Math.max(0, out[i]!));
  return out;
}
