/**
 * Photos as classifier inputs, and references and heatmaps that suit them
 * (used by the command line; pure TypeScript plus one tfjs resize).
 *
 * Pixel scalings, named as in Keras' `imagenet_utils.preprocess_input`:
 * - 'unit':  x = p / 255                    (0..1)
 * - 'tf':    x = p / 127.5 − 1              (−1..1; MobileNet, Inception)
 * - 'caffe': RGB → BGR, x = p − mean_BGR    (mean 103.939, 116.779, 123.68; VGG, ResNet50)
 * - 'raw':   x = p                          (0..255; models that rescale inside)
 * For a one-channel model the photo becomes luma 0.299R + 0.587G + 0.114B
 * first ('caffe' then subtracts the mean of the three means).
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianBlur } from './blur';
import { divergingColor, symmetricScale } from './colormap';

export type PixelScale = 'unit' | 'tf' | 'caffe' | 'raw';
export const PIXEL_SCALES: readonly PixelScale[] = ['unit', 'tf', 'caffe', 'raw'];

const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

/** Per-channel affine map p ↦ a·p + b of a scaling, in the model's channel order, and the channel permutation. */
function affine(scale: PixelScale, channels: number): { a: number; b: number[]; bgr: boolean } {
  switch (scale) {
    case 'unit': return { a: 1 / 255, b: new Array(channels).fill(0), bgr: false };
    case 'tf': return { a: 1 / 127.5, b: new Array(channels).fill(-1), bgr: false };
    case 'raw': return { a: 1, b: new Array(channels).fill(0), bgr: false };
    case 'caffe': return {
      a: 1,
      b: channels === 3 ? CAFFE_MEAN_BGR.map((m) => -m) : [-(CAFFE_MEAN_BGR.reduce((s, m) => s + m, 0) / 3)],
      bgr: channels === 3,
    };
  }
}

/**
 * Photo pixels (RGB 0..255, [h·w·3] row-major) → model input values
 * ([h·w·channels]) with `scale`. channels: 1 (luma) or 3.
 */
export function scalePixels(rgb255: Float32Array, scale: PixelScale, channels: number): Float32Array {
  if (channels !== 1 && channels !== 3) throw new RangeError(`photo models need 1 or 3 channels, got ${channels}`);
  const n = rgb255.length / 3;
  const { a, b, bgr } = affine(scale, channels);
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    const r = rgb255[i * 3]; const g = rgb255[i * 3 + 1]; const bl = rgb255[i * 3 + 2];
    if (channels === 1) {
      out[i] = a * (0.299 * r + 0.587 * g + 0.114 * bl) + b[0];
    } else {
      const px = bgr ? [bl, g, r] : [r, g, bl];
      for (let c = 0; c < 3; c++) out[i * 3 + c] = a * px[c] + b[c];
    }
  }
  return out;
}

/** The inverse of `scalePixels` back to RGB 0..255 (grey for one channel), unclipped. */
export function unscalePixels(values: Float32Array, scale: PixelScale, channels: number): Float32Array {
  const n = values.length / channels;
  const { a, b, bgr } = affine(scale, channels);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const src = channels === 1 ? 0 : bgr ? 2 - c : c;
      out[i * 3 + c] = (values[i * channels + src] - b[src]) / a;
    }
  }
  return out;
}

/**
 * Resizes a [h, w, 3] photo (0..255) to [height, width] the way TF2's
 * `tf.image.resize` does by default: bilinear, half-pixel centres, no
 * antialiasing (tfjs resizeBilinear with halfPixelCenters). Returns
 * row-major RGB values; does not dispose `photo`.
 */
export async function resizePhoto(photo: tf.Tensor3D, height: number, width: number): Promise<Float32Array> {
  if (photo.shape[0] === height && photo.shape[1] === width) return (await photo.data()) as Float32Array;
  const resized = tf.tidy(() => tf.image.resizeBilinear(photo, [height, width], false, true));
  try {
    return (await resized.data()) as Float32Array;
  } finally {
    resized.dispose();
  }
}

export type PhotoReference = 'black' | 'grey' | 'blur';

/** Default blur of the 'blur' reference: σ = 3 px per 28 px of the longer side (the MNIST default, scaled). */
export function defaultBlurSigma(height: number, width: number): number {
  return (3 * Math.max(height, width)) / 28;
}

/**
 * A reference image in model input space for one image of [height, width,
 * channels] `values` (already scaled with `scale`): black (pixel 0), grey
 * (pixel 127.5, i.e. the scaling's zero for 'tf') or the image blurred per
 * channel with σ = `sigma` (a normalised Gaussian, so blurring commutes with
 * the per-channel scaling).
 */
export function photoReference(
  kind: PhotoReference, values: Float32Array, height: number, width: number, channels: number,
  scale: PixelScale, sigma = defaultBlurSigma(height, width),
): Float32Array {
  const n = height * width;
  if (values.length !== n * channels) throw new RangeError(`photoReference: ${values.length} values for ${height}×${width}×${channels}`);
  if (kind === 'blur') {
    const out = new Float32Array(values.length);
    const plane = new Float32Array(n);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < n; i++) plane[i] = values[i * channels + c];
      const blurred = gaussianBlur(plane, width, height, sigma);
      for (let i = 0; i < n; i++) out[i * channels + c] = blurred[i];
    }
    return out;
  }
  const pixel = kind === 'black' ? 0 : 127.5;
  return scalePixels(new Float32Array(n * 3).fill(pixel), scale, channels);
}

/**
 * The heatmap over the photo as RGBA: contributions summed over channels,
 * coloured on the diverging scale ±max|sum| and blended half and half with
 * the photo (RGB 0..255, [height·width·3]): out = round(½·photo + ½·colour).
 */
export function heatmapOverPhoto(
  attributions: ArrayLike<number>, photo255: Float32Array, height: number, width: number, channels: number,
): Uint8Array {
  const n = height * width;
  const summed = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += attributions[i * channels + c];
    summed[i] = s;
  }
  const max = symmetricScale(summed);
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const colour = divergingColor(summed[i], max);
    for (let c = 0; c < 3; c++) {
      const p = Math.min(255, Math.max(0, photo255[i * 3 + c]));
      rgba[i * 4 + c] = Math.round(0.5 * p + 0.5 * colour[c]);
    }
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** Labels from a file's text: a JSON array of strings, or one label per line (blank trailing lines dropped). */
export function parseLabels(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string')) throw new RangeError('labels JSON must be an array of strings');
    return parsed as string[];
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}
