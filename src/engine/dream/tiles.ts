/**
 * Tiled gradients (TensorFlow's DeepDream tutorial, "Scaling up with tiles"):
 * above a tile size the image's gradient is computed tile by tile, so memory
 * stays bounded whatever the image size. The tile grid is shifted by a random
 * offset (a circular roll) each call so tile seams never stay in one place.
 * An image that fits one tile gets the plain, untiled gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { type Rng } from './jitter';
import { roll } from './jitter';

/** The objective's value and its gradient w.r.t. the image, both owned by the caller. */
export interface ValueAndGradient {
  value: tf.Scalar;
  /** same shape as the image */
  grad: tf.Tensor4D;
}

/** Computes the objective and its gradient for one [1, h, w, 3] image (or tile). */
export type GradientFn = (image: tf.Tensor4D) => ValueAndGradient;

/** Splits `length` into the fewest near-equal parts no longer than `tile`: their lengths. */
export function tileSpans(length: number, tile: number): number[] {
  const n = Math.max(1, Math.ceil(length / Math.max(1, tile)));
  const base = Math.floor(length / n);
  const extra = length - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Gradient of the objective w.r.t. a [1, h, w, 3] image. When h or w exceeds
 * `tileSize`, rolls the image by a random shift from `rng`, splits it into
 * near-equal tiles (each at least tileSize/2 on a side, so a model's minimum
 * input size is kept when tileSize is at least twice it), computes each tile's
 * gradient, weights it by the tile's share of the image's area (so a `mean`
 * objective's gradient scale matches the untiled one) and rolls the assembled
 * gradient back. `value` is the area-weighted mean of the tiles' values.
 * Returns tensors the caller owns; does not dispose `image`.
 */
export function tiledGradient(image: tf.Tensor4D, gradient: GradientFn, tileSize: number, rng: Rng): ValueAndGradient {
  const [, h, w] = image.shape;
  if (h <= tileSize && w <= tileSize) return gradient(image);
  return tf.tidy(() => {
    const dy = Math.floor(rng() * tileSize);
    const dx = Math.floor(rng() * tileSize);
    const rolled = roll(image, dy, dx);
    const rowsH = tileSpans(h, tileSize);
    const colsW = tileSpans(w, tileSize);
    const rowTiles = tf.split(rolled, rowsH, 1) as tf.Tensor4D[];
    let value: tf.Scalar = tf.scalar(0);
    const rows: tf.Tensor4D[] = [];
    rowTiles.forEach((rowTile) => {
      const tiles = tf.split(rowTile, colsW, 2) as tf.Tensor4D[];
      const grads: tf.Tensor4D[] = tiles.map((tile: tf.Tensor4D) => {
        const share = (tile.shape[1] * tile.shape[2]) / (h * w);
        const r = gradient(tile);
        value = tf.add(value, tf.mul(r.value, share));
        return tf.mul(r.grad, share);
      });
      rows.push(tf.concat(grads, 2));
    });
    const grad = roll(tf.concat(rows, 1), -dy, -dx);
    return { value, grad };
  });
}
