/**
 * The zoom step of the original deepdream notebook's endless zoom: each film
 * frame is the previous one magnified slightly about the image centre
 * (optionally rotated and drifted) and then dreamt again. Here it is one
 * affine resample: for every output pixel p the source point is
 *   q = c + d + R(−θ)(p − c) / zoom,
 * with c the image centre ((w − 1)/2, (h − 1)/2) in pixel-index coordinates,
 * d the drift and R(θ) the rotation, sampled bilinearly (tf.image.transform,
 * which takes exactly this output → input mapping). So a source point q moves
 * to c + zoom·R(θ)(q − c − d). With y pointing down, θ > 0 turns the picture
 * clockwise on screen; d > 0 moves the view right/down (the picture moves
 * left/up). Points that come from outside the frame (rotation, drift) are
 * filled by reflection, so no black corners appear.
 */
import * as tf from '@tensorflow/tfjs';

export interface ZoomMotion {
  /** Magnification per frame, > 0 (1 = none, 1.05 = 5 % closer each frame). */
  zoom: number;
  /** Rotation per frame in degrees (clockwise on screen). */
  rotateDeg: number;
  /** Drift of the view per frame in pixels (x right, y down). */
  driftX: number;
  driftY: number;
}

export const NO_MOTION: ZoomMotion = { zoom: 1, rotateDeg: 0, driftX: 0, driftY: 0 };

/**
 * The 8 projective coefficients [a0, a1, a2, b0, b1, b2, 0, 0] mapping an
 * output pixel (x, y) to its source point (a0x + a1y + a2, b0x + b1y + b2).
 */
export function zoomTransform(width: number, height: number, motion: ZoomMotion): number[] {
  if (!(motion.zoom > 0) || !Number.isFinite(motion.zoom)) throw new RangeError(`zoom must be a positive number (got ${motion.zoom})`);
  const theta = (motion.rotateDeg * Math.PI) / 180;
  const cos = Math.cos(theta) / motion.zoom;
  const sin = Math.sin(theta) / motion.zoom;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const a0 = cos;
  const a1 = sin;
  const b0 = -sin;
  const b1 = cos;
  return [a0, a1, cx + motion.driftX - (a0 * cx + a1 * cy), b0, b1, cy + motion.driftY - (b0 * cx + b1 * cy), 0, 0];
}

/** Where the source point (x, y) lands after one zoom step (the forward map, for tests and overlays). */
export function zoomedPoint(x: number, y: number, width: number, height: number, motion: ZoomMotion): { x: number; y: number } {
  const theta = (motion.rotateDeg * Math.PI) / 180;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const dx = x - cx - motion.driftX;
  const dy = y - cy - motion.driftY;
  return {
    x: cx + motion.zoom * (Math.cos(theta) * dx - Math.sin(theta) * dy),
    y: cy + motion.zoom * (Math.sin(theta) * dx + Math.cos(theta) * dy),
  };
}

/** Whether the motion changes nothing (the resample is skipped). */
export function isStill(motion: ZoomMotion): boolean {
  return motion.zoom === 1 && motion.rotateDeg === 0 && motion.driftX === 0 && motion.driftY === 0;
}

/**
 * One zoom step of `image` ([1, h, w, c] float32, not disposed): the
 * resampled image, same shape; the caller owns it.
 */
export function zoomStep(image: tf.Tensor4D, motion: ZoomMotion): tf.Tensor4D {
  const [, h, w] = image.shape;
  if (isStill(motion)) return image.clone();
  return tf.tidy(() => tf.image.transform(image, tf.tensor2d([zoomTransform(w, h, motion)], [1, 8]), 'bilinear', 'reflect', 0, [h, w]));
}
