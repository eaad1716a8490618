/**
 * MNIST's own preprocessing for drawn and uploaded digits (LeCun, Cortes &
 * Burges, "The MNIST database": "normalized to fit in a 20x20 pixel box while
 * preserving their aspect ratio [...] grey levels as a result of the
 * anti-aliasing technique [...] centered in a 28x28 image by computing the
 * center of mass of the pixels").
 *
 * Steps: grayscale (alpha composited) → light on dark (a light background,
 * judged from the border pixels, is inverted) → background level removed →
 * crop to the bounding box of the ink → area-averaging resample into a 20×20
 * box, aspect kept → placed so the centre of mass is at the centre of 28×28.
 *
 * Photographs (uneven, textured, tinted paper) first go through photo-ink.ts
 * (background removal, Otsu threshold, connected components): uploadToInk
 * chooses the path.
 *
 * Pure TypeScript on arrays: runs on the main thread, in workers and in Node.
 */
import { photoToInk, type PhotoInk } from './photo-ink';

/** Thrown when an image has no ink at all (blank canvas, uniform photo). */
export class EmptyInputError extends Error {
  override name = 'EmptyInputError';
}

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** The long side of the digit's box inside the 28×28 field. */
export const MNIST_BOX = 20;

/** A pixel counts as ink when it is this far above the background (after normalisation to [0, 1]). */
const INK_THRESHOLD = 0.15;
/** Below this contrast between the brightest pixel and the background the image is blank. */
const MIN_CONTRAST = 0.1;

/**
 * RGBA (0..255, row-major, 4 bytes a pixel) → grayscale in [0, 1], alpha
 * composited. Light ink on a transparent background is composited on black;
 * dark ink on a transparent background (a common PNG export) is composited on
 * white so that it stays visible, and the light-background rule then inverts it.
 */
export function rgbaToGray01(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const n = width * height;
  if (rgba.length < n * 4) throw new RangeError(`rgbaToGray01: ${rgba.length} bytes for ${width}×${height} RGBA`);
  const lum = new Float32Array(n);
  const alpha = new Float32Array(n);
  let opaqueLum = 0;
  let opaqueWeight = 0;
  let hasTransparency = false;
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i]!;
    const g = rgba[4 * i + 1]!;
    const b = rgba[4 * i + 2]!;
    const a = rgba[4 * i + 3]! / 255;
    // ITU-R BT.601 luma, as most grayscale conversions use.
    const l = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    lum[i] = l;
    alpha[i] = a;
    if (a < 1) hasTransparency = true;
    opaqueLum += l * a;
    opaqueWeight += a;
  }
  const isDarkInkOnTransparent = hasTransparency && opaqueWeight > 0 && opaqueLum / opaqueWeight < 0.5;
  const background = isDarkInkOnTransparent ? 1 : 0;
  const gray = new Float32Array(n);
  for (let i = 0; i < n; i++) gray[i] = lum[i]! * alpha[i]! + background * (1 - alpha[i]!);
  return gray;
}

/** The border pixels of an image, sorted ascending. */
function borderValues(gray: Float32Array, width: number, height: number): number[] {
  const border: number[] = [];
  for (let x = 0; x < width; x++) {
    border.push(gray[x]!);
    if (height > 1) border.push(gray[(height - 1) * width + x]!);
  }
  for (let y = 1; y < height - 1; y++) {
    border.push(gray[y * width]!);
    if (width > 1) border.push(gray[y * width + width - 1]!);
  }
  return border.sort((a, b) => a - b);
}

function borderMedian(gray: Float32Array, width: number, height: number): number {
  const sorted = borderValues(gray, width, height);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Grayscale [0, 1] → ink in [0, 1], light on dark, background at 0.
 * A light background (median of the border pixels above ½) is inverted; the
 * background level is then subtracted and the contrast stretched so the
 * brightest ink is 1. Throws EmptyInputError when there is no ink. New array.
 */
export function toInk01(gray01: Float32Array, width: number, height: number): Float32Array {
  if (width <= 0 || height <= 0 || gray01.length !== width * height) {
    throw new RangeError(`toInk01: ${gray01.length} values for ${width}×${height}`);
  }
  const isLightBackground = borderMedian(gray01, width, height) > 0.5;
  const ink = new Float32Array(gray01.length);
  for (let i = 0; i < ink.length; i++) ink[i] = isLightBackground ? 1 - gray01[i]! : gray01[i]!;
  const background = borderMedian(ink, width, height);
  let peak = 0;
  for (let i = 0; i < ink.length; i++) peak = Math.max(peak, ink[i]!);
  if (peak - background < MIN_CONTRAST) {
    throw new EmptyInputError('There is no digit in this image: it is blank (or has almost no contrast). Draw or upload a digit.');
  }
  const scale = 1 / (peak - background);
  for (let i = 0; i < ink.length; i++) ink[i] = Math.min(1, Math.max(0, (ink[i]! - background) * scale));
  return ink;
}

interface Box {
  x0: number;
  y0: number;
  /** Exclusive. */
  x1: number;
  y1: number;
}

function inkBox(ink: Float32Array, width: number, height: number): Box | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Weights of a 1-D area resample: out[o] = Σ_s w[o][s]·in[s], where output
 * pixel o covers source interval [(o − offset)/scale, (o + 1 − offset)/scale)
 * and w is the overlap length times `scale` (the box filter's average). Only
 * source pixels in [from, to) contribute. Returned as a dense [outLen × (to − from)] array.
 */
function areaWeights(outLen: number, from: number, to: number, scale: number, offset: number): Float32Array {
  const srcLen = to - from;
  const w = new Float32Array(outLen * srcLen);
  for (let o = 0; o < outLen; o++) {
    const a = (o - offset) / scale;
    const b = (o + 1 - offset) / scale;
    const sStart = Math.max(from, Math.floor(a));
    const sEnd = Math.min(to, Math.ceil(b));
    for (let s = sStart; s < sEnd; s++) {
      const overlap = Math.min(b, s + 1) - Math.max(a, s);
      if (overlap > 0) w[o * srcLen + (s - from)] = overlap * scale;
    }
  }
  return w;
}

/** Bilinear upsampling by an integer factor (pixel-centre aligned); used before area-averaging small crops. */
function upsample(ink: Float32Array, width: number, height: number, factor: number): Float32Array {
  const w2 = width * factor;
  const h2 = height * factor;
  const out = new Float32Array(w2 * h2);
  const at = (x: number, y: number) => ink[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!;
  for (let y = 0; y < h2; y++) {
    const sy = (y + 0.5) / factor - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < w2; x++) {
      const sx = (x + 0.5) / factor - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      out[y * w2 + x] =
        (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    }
  }
  return out;
}

/**
 * Ink (light on dark, [0, 1], background 0) of any size → the 28×28 MNIST
 * input: Float32Array(784), row-major, in [0, 1]. The ink's bounding box is
 * scaled (area-averaging, so thin strokes become grey as in MNIST) to fit a
 * 20×20 box with its aspect kept, and placed so that its centre of mass lies
 * at the centre of the field (14, 14 in continuous coordinates, i.e. index
 * 13.5), sub-pixel exactly, unless that would push the box off the field.
 * Throws EmptyInputError when there is no ink. Does not modify `ink01`.
 */
export function fitToMnist(ink01: Float32Array, width: number, height: number): Float32Array {
  let box = inkBox(ink01, width, height);
  if (!box) throw new EmptyInputError('There is no digit here: the image is empty. Draw or upload a digit.');
  let src = ink01;
  let srcWidth = width;
  // Crops smaller than the box are first upsampled smoothly, so the area resample does not produce blocks.
  const long = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  if (long < 2 * MNIST_BOX) {
    const factor = Math.ceil((2 * MNIST_BOX) / long);
    src = upsample(ink01, width, height, factor);
    srcWidth = width * factor;
    box = { x0: box.x0 * factor, y0: box.y0 * factor, x1: box.x1 * factor, y1: box.y1 * factor };
  }
  const boxW = box.x1 - box.x0;
  const boxH = box.y1 - box.y0;
  const scale = MNIST_BOX / Math.max(boxW, boxH);

  // Centre of mass of the crop (continuous coordinates: pixel i spans [i, i + 1)).
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const v = src[y * srcWidth + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const centre = MNIST_SIDE / 2;
  const place = (com: number, lo: number, hi: number) => {
    const offset = centre - scale * com;
    // Keep the whole box on the field (only lopsided digits need this).
    return Math.min(MNIST_SIDE - scale * hi, Math.max(-scale * lo, offset));
  };
  const offsetX = place(mx / mass, box.x0, box.x1);
  const offsetY = place(my / mass, box.y0, box.y1);

  const wx = areaWeights(MNIST_SIDE, box.x0, box.x1, scale, offsetX);
  const wy = areaWeights(MNIST_SIDE, box.y0, box.y1, scale, offsetY);
  // Separable: rows first (boxH × 28), then columns.
  const rows = new Float32Array(boxH * MNIST_SIDE);
  for (let y = 0; y < boxH; y++) {
    const base = (box.y0 + y) * srcWidth + box.x0;
    for (let o = 0; o < MNIST_SIDE; o++) {
      let sum = 0;
      const wRow = o * boxW;
      for (let x = 0; x < boxW; x++) {
        const weight = wx[wRow + x]!;
        if (weight !== 0) sum += weight * src[base + x]!;
      }
      rows[y * MNIST_SIDE + o] = sum;
    }
  }
  const out = new Float32Array(MNIST_PIXELS);
  for (let o = 0; o < MNIST_SIDE; o++) {
    for (let y = 0; y < boxH; y++) {
      const weight = wy[o * boxH + y]!;
      if (weight === 0) continue;
      for (let x = 0; x < MNIST_SIDE; x++) out[o * MNIST_SIDE + x] += weight * rows[y * MNIST_SIDE + x]!;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]!));
  return out;
}

/** Border spread (90th − 10th percentile) above this marks uneven paper: shading, texture, a photo. */
const PHOTO_BORDER_SPREAD = 0.08;
/** More than this share of "ink" after the clean-background path means the background was kept as ink (a bold, tightly cropped MNIST digit reaches about 0.4). */
const PHOTO_INK_SHARE = 0.5;

export interface UploadInk {
  /** Light ink on black, [0, 1], width × height. */
  ink01: Float32Array;
  width: number;
  height: number;
  /** Whether the photo clean-up (photo-ink.ts) was used rather than the clean-background path. */
  isPhoto: boolean;
  /** What the photo clean-up found (null on the clean path). */
  photo: PhotoInk | null;
}

/**
 * An uploaded picture (grayscale [0, 1], either polarity) → clean ink, light on dark.
 * A clean scan or drawing (uniform border, little "ink") takes the
 * clean-background path exactly as before; anything with uneven paper
 * (spread border, or most of the image above the ink threshold) goes through
 * photoToInk: background removal, Otsu, connected components.
 * Throws EmptyInputError when there is no ink. Does not modify `gray01`.
 */
export function uploadToInk(gray01: Float32Array, width: number, height: number): UploadInk {
  const border = borderValues(gray01, width, height);
  const spread = border[Math.floor(0.9 * (border.length - 1))]! - border[Math.floor(0.1 * (border.length - 1))]!;
  let clean: Float32Array | null = null;
  let cleanError: unknown = null;
  try {
    clean = toInk01(gray01, width, height);
  } catch (e) {
    cleanError = e;
  }
  let inkShare = 0;
  if (clean) {
    let count = 0;
    for (let i = 0; i < clean.length; i++) if (clean[i]! > INK_THRESHOLD) count++;
    inkShare = count / clean.length;
  }
  if (clean && spread <= PHOTO_BORDER_SPREAD && inkShare <= PHOTO_INK_SHARE) {
    return { ink01: clean, width, height, isPhoto: false, photo: null };
  }
  if (cleanError && spread <= PHOTO_BORDER_SPREAD) throw cleanError;
  // photoToInk wants dark ink on lighter paper: a dark board with light chalk is inverted first.
  const isLightPaper = border[border.length >> 1]! > 0.5;
  const paperGray = isLightPaper ? gray01 : gray01.map((v) => 1 - v);
  const photo = photoToInk(paperGray, width, height);
  if (!photo) {
    throw new EmptyInputError('There is no digit in this image: no ink stands out from the paper. Upload a photo with a dark digit on light paper, or draw one.');
  }
  return { ink01: photo.ink01, width: photo.width, height: photo.height, isPhoto: true, photo };
}

/** Any uploaded grayscale picture → Float32Array(784), through uploadToInk (photo clean-up when needed). */
export function preprocessUploadGray01(gray01: Float32Array, width: number, height: number): Float32Array {
  const { ink01, width: w, height: h } = uploadToInk(gray01, width, height);
  return fitToMnist(ink01, w, h);
}

/** RGBA (0..255) of any size → Float32Array(784) in [0, 1], light on dark. Throws EmptyInputError on a blank image. */
export function preprocessRgba(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  return fitToMnist(toInk01(rgbaToGray01(rgba, width, height), width, height), width, height);
}

/** Grayscale [0, 1] (either polarity) of any size → Float32Array(784) in [0, 1], light on dark. */
export function preprocessGray01(gray01: Float32Array, width: number, height: number): Float32Array {
  return fitToMnist(toInk01(gray01, width, height), width, height);
}

/** Centre of mass of a square image in continuous coordinates (pixel i spans [i, i + 1); a 28×28 field's centre is 14). */
export function centreOfMass(pixels: Float32Array, side = MNIST_SIDE): { x: number; y: number } {
  let mass = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    mass += v;
    x += v * ((i % side) + 0.5);
    y += v * (Math.floor(i / side) + 0.5);
  }
  return mass > 0 ? { x: x / mass, y: y / mass } : { x: NaN, y: NaN };
}
