/**
 * Transformation robustness (Distill "Feature Visualization", section
 * "Transformation robustness"; lucid's `standard_transforms`): before each
 * step the image is padded, randomly jittered, rescaled and rotated a little,
 * so only patterns the network still sees after small changes survive; this
 * removes most high-frequency adversarial texture.
 *
 * Every resampling is a matrix product with a bilinear "tent" interpolation
 * matrix (weight max(0, 1 − |source − i|)), built on the backend from index
 * tensors: matMul has gradients on every backend, whereas tfjs's rotate has
 * none and its bilinear resize gradient is missing on some. Rotation is three
 * shears (Paeth, "A fast algorithm for general raster rotation", 1986), each a
 * per-row 1-D resampling, i.e. one batched matrix product.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../dream/jitter';

/** Settings of the random transforms; all sizes in pixels of the parametrised image. */
export interface TransformSettings {
  /** Constant padding on each side, filled with mid-grey. */
  pad: number;
  /** Largest random crop offset of the first jitter (lucid: 8). */
  jitter: number;
  /** Random scales to pick from, e.g. 0.9 … 1.1. */
  scales: readonly number[];
  /** Largest rotation, degrees (uniform in ±maxRotation). */
  maxRotation: number;
  /** Largest random crop offset of the final jitter (lucid: 4). */
  finalJitter: number;
}

/** Lucid's standard transforms, scaled to the image size (tuned at 128 px). */
export function standardTransforms(size: number): TransformSettings {
  const k = size / 128;
  return {
    pad: Math.round(12 * k),
    jitter: Math.max(1, Math.round(8 * k)),
    scales: [0.9, 0.92, 0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06, 1.08, 1.1],
    maxRotation: 10,
    finalJitter: Math.max(1, Math.round(4 * k)),
  };
}

/** The random choices of one step, drawn from `rng` (so a seed fixes them all). */
export interface TransformDraw {
  jitterY: number;
  jitterX: number;
  scale: number;
  angle: number;
  finalY: number;
  finalX: number;
}

function randomInt(rng: Rng, maxInclusive: number): number {
  return Math.min(maxInclusive, Math.floor(rng() * (maxInclusive + 1)));
}

/** Draws one step's transform parameters. */
export function drawTransform(settings: TransformSettings, rng: Rng): TransformDraw {
  return {
    jitterY: randomInt(rng, settings.jitter),
    jitterX: randomInt(rng, settings.jitter),
    scale: settings.scales[randomInt(rng, settings.scales.length - 1)],
    angle: ((rng() * 2 - 1) * settings.maxRotation * Math.PI) / 180,
    finalY: randomInt(rng, settings.finalJitter),
    finalX: randomInt(rng, settings.finalJitter),
  };
}

/**
 * Tent interpolation weights max(0, 1 − |i − source|) for i = 0 … m − 1:
 * `source` [rows, n, 1] holds where each output sample reads the input (input
 * pixel units, pixel centres at integers); result [rows, n, m]. Sources beyond
 * the edges get zero weight.
 */
function tentMatrix(source: tf.Tensor, m: number): tf.Tensor {
  return tf.tidy(() => tf.relu(tf.sub(1, tf.abs(tf.sub(tf.range(0, m).reshape([1, 1, m]), source)))));
}

/** Resamples axis 0 of [a, b, c] to `n` rows with a [n, a] weight matrix. */
function resampleAxis0(image: tf.Tensor3D, weights: tf.Tensor2D): tf.Tensor3D {
  const [a, b, c] = image.shape;
  return tf.reshape(tf.matMul(weights, tf.reshape(image, [a, b * c])), [weights.shape[0], b, c]) as tf.Tensor3D;
}

function swapAxes01(image: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(image, [1, 0, 2]) as tf.Tensor3D;
}

/**
 * Bilinear resize of [h, w, c] to [newH, newW, c] (half-pixel centres, no
 * antialiasing, like tf.image.resizeBilinear with halfPixelCenters).
 * Differentiable on every backend; does not dispose its input.
 */
export function resize(image: tf.Tensor3D, newH: number, newW: number): tf.Tensor3D {
  const [h, w] = image.shape;
  if (h === newH && w === newW) return tf.clone(image);
  return tf.tidy(() => {
    const weights = (n: number, m: number): tf.Tensor2D => {
      const src = tf.sub(tf.mul(tf.add(tf.range(0, n), 0.5), m / n), 0.5);
      // Clamp so the edge rows replicate the edge pixels instead of fading out.
      return tentMatrix(tf.clipByValue(src, 0, m - 1).reshape([1, n, 1]), m).reshape([n, m]) as tf.Tensor2D;
    };
    const rows = h === newH ? image : resampleAxis0(image, weights(newH, h));
    return w === newW ? rows : swapAxes01(resampleAxis0(swapAxes01(rows), weights(newW, w)));
  });
}

/** Shifts row y of [h, w, c] along axis 1 by k·(y − centre) pixels (bilinear; zeros enter). */
function shearRows(image: tf.Tensor3D, k: number): tf.Tensor3D {
  const [h, w] = image.shape;
  const cy = (h - 1) / 2;
  // out[y, x] = in[y, x − k(y − cy)]
  const offsets = tf.mul(tf.sub(tf.range(0, h), cy), k).reshape([h, 1, 1]);
  const source = tf.sub(tf.range(0, w).reshape([1, w, 1]), offsets);
  return tf.matMul(tentMatrix(source, w) as tf.Tensor3D, image) as tf.Tensor3D;
}

/**
 * Rotates [h, w, c] by `angle` radians about its centre as shear-x, shear-y,
 * shear-x (Paeth). Values are rotated around `fill`, so the corners that come
 * from outside the image get `fill`. Differentiable; does not dispose its input.
 */
export function rotate(image: tf.Tensor3D, angle: number, fill = 0): tf.Tensor3D {
  if (angle === 0) return tf.clone(image);
  return tf.tidy(() => {
    const a = -Math.tan(angle / 2);
    const b = Math.sin(angle);
    let t = tf.sub(image, fill) as tf.Tensor3D;
    t = shearRows(t, a);
    t = swapAxes01(shearRows(swapAxes01(t), b));
    t = shearRows(t, a);
    return tf.add(t, fill) as tf.Tensor3D;
  });
}

/**
 * Applies pad → jitter → scale → rotate → jitter to [h, w, 3] values in
 * (0, 1), padding and filling with 0.5. Differentiable; does not dispose its
 * input; the caller owns the result.
 */
export function applyTransforms(image: tf.Tensor3D, settings: TransformSettings, draw: TransformDraw): tf.Tensor3D {
  return tf.tidy(() => {
    const p = settings.pad;
    let t = p > 0 ? (tf.pad(image, [[p, p], [p, p], [0, 0]], 0.5) as tf.Tensor3D) : image;
    const crop = (x: tf.Tensor3D, max: number, dy: number, dx: number): tf.Tensor3D => {
      if (max <= 0) return x;
      const [h, w] = x.shape;
      return tf.slice(x, [dy, dx, 0], [h - max, w - max, 3]);
    };
    t = crop(t, settings.jitter, draw.jitterY, draw.jitterX);
    if (draw.scale !== 1) {
      const [h, w] = t.shape;
      t = resize(t, Math.max(1, Math.round(h * draw.scale)), Math.max(1, Math.round(w * draw.scale)));
    }
    t = rotate(t, draw.angle, 0.5);
    return crop(t, settings.finalJitter, draw.finalY, draw.finalX);
  });
}
