/**
 * Photo → model input for any image classifier (the model's InputSpec):
 * resize (centre crop or fit with black padding) by area averaging, grayscale
 * when the model takes one channel (ITU-R BT.601 luma), then the pixel
 * scaling. Also the inverse ("what the model sees" as an image) and the
 * DeepLIFT references that suit photos (Shrikumar et al. 2017, §3.2): black,
 * uniform grey (the scaling's zero), a blurred copy, and the DeepLIFT-SHAP set.
 * Plain TypeScript arithmetic (the seeded PRNG is the Deep Dream jitter's).
 */
import { IMAGENET_MEAN, IMAGENET_STD, type InputSpec, type PixelScaling } from '../models/model-spec';
import { createRng } from '../dream/jitter';
import { gaussianBlur } from './blur';

/** One reference image ('black', 'grey', 'blurred') or the DeepLIFT-SHAP set ('shap', SHAP_REFERENCE_COUNT references). */
export type PhotoReferenceKind = 'black' | 'grey' | 'blurred' | 'shap';

/** DeepLIFT-SHAP on photos: the blurred photo at four widths and black with four seeded noise draws. */
export const SHAP_REFERENCE_COUNT = 8;
/** Noise std of the noisy references, as a fraction of the pixel range (0..255 ↦ 0.1·255). */
export const SHAP_NOISE_STD = 0.1;
const SHAP_BLUR_FACTORS = [0.5, 1, 2, 4];

/** One photo as RGBA bytes, row-major. */
export interface RgbaImage {
  rgba: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** Model units of a 0..255 value of `channel` (0 R, 1 G, 2 B; a one-channel model uses channel 0's ImageNet statistics). */
export function pixelToModel(value255: number, scaling: PixelScaling, channel: number): number {
  switch (scaling) {
    case 'unit':
      return value255 / 255;
    case 'signed':
      return value255 / 127.5 - 1;
    case 'raw':
      return value255;
    case 'imagenet':
      return (value255 / 255 - IMAGENET_MEAN[channel]!) / IMAGENET_STD[channel]!;
  }
}

/** The inverse of pixelToModel (not clamped). */
export function modelToPixel(value: number, scaling: PixelScaling, channel: number): number {
  switch (scaling) {
    case 'unit':
      return value * 255;
    case 'signed':
      return (value + 1) * 127.5;
    case 'raw':
      return value;
    case 'imagenet':
      return (value * IMAGENET_STD[channel]! + IMAGENET_MEAN[channel]!) * 255;
  }
}

/**
 * Weights of source cells [0, n) covering the output cell [start, end) in
 * source coordinates: the overlap lengths, normalised to sum 1 (area averaging).
 */
function coverage(start: number, end: number, n: number): { index: number; weight: number }[] {
  const lo = Math.max(0, Math.floor(start));
  const hi = Math.min(n, Math.ceil(end));
  const taps: { index: number; weight: number }[] = [];
  let total = 0;
  for (let i = lo; i < hi; i++) {
    const w = Math.min(end, i + 1) - Math.max(start, i);
    if (w > 0) {
      taps.push({ index: i, weight: w });
      total += w;
    }
  }
  for (const t of taps) t.weight /= total;
  return taps;
}

/** Per output row (or column): its source taps, or null where it falls in the padding of 'fit'. */
function axisTaps(outSize: number, srcSize: number, scale: number, offset: number): ({ index: number; weight: number }[] | null)[] {
  const taps: ({ index: number; weight: number }[] | null)[] = [];
  for (let o = 0; o < outSize; o++) {
    const start = (o - offset) / scale;
    const end = (o + 1 - offset) / scale;
    const clippedStart = Math.max(0, start);
    const clippedEnd = Math.min(srcSize, end);
    // An output cell less than half covered by the photo is padding.
    taps.push(clippedEnd - clippedStart < 0.5 * (end - start) ? null : coverage(clippedStart, clippedEnd, srcSize));
  }
  return taps;
}

/**
 * The photo resized to spec.height × spec.width, as 0..255 RGB floats
 * (Float32Array(H·W·3), row-major, channels last). 'crop' scales the photo to
 * cover the target and keeps the centre; 'fit' scales it to fit inside and
 * pads with black.
 */
export function resizePhoto(image: RgbaImage, spec: Pick<InputSpec, 'height' | 'width' | 'resize'>): Float32Array {
  const { width: w, height: h, rgba } = image;
  if (rgba.length !== w * h * 4) throw new RangeError(`resizePhoto: ${rgba.length} bytes for ${w}×${h} RGBA`);
  const sx = spec.width / w;
  const sy = spec.height / h;
  const scale = spec.resize === 'crop' ? Math.max(sx, sy) : Math.min(sx, sy);
  const offsetX = (spec.width - w * scale) / 2;
  const offsetY = (spec.height - h * scale) / 2;
  const cols = axisTaps(spec.width, w, scale, offsetX);
  const rows = axisTaps(spec.height, h, scale, offsetY);
  const out = new Float32Array(spec.width * spec.height * 3);
  for (let y = 0; y < spec.height; y++) {
    const row = rows[y];
    if (!row) continue;
    for (let x = 0; x < spec.width; x++) {
      const col = cols[x];
      if (!col) continue;
      let r = 0;
      let g = 0;
      let b = 0;
      for (const ty of row) {
        for (const tx of col) {
          const w8 = ty.weight * tx.weight;
          const i = (ty.index * w + tx.index) * 4;
          r += w8 * rgba[i]!;
          g += w8 * rgba[i + 1]!;
          b += w8 * rgba[i + 2]!;
        }
      }
      const o = (y * spec.width + x) * 3;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return out;
}

/** BT.601 luma of 0..255 RGB. */
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** 0..255 RGB (H·W·3) → model input units (H·W·C) by spec.channels and spec.scaling. */
export function scaleRgb(rgb255: Float32Array, spec: Pick<InputSpec, 'channels' | 'scaling'>): Float32Array {
  const n = rgb255.length / 3;
  const out = new Float32Array(n * spec.channels);
  for (let i = 0; i < n; i++) {
    if (spec.channels === 1) {
      out[i] = pixelToModel(luma(rgb255[3 * i]!, rgb255[3 * i + 1]!, rgb255[3 * i + 2]!), spec.scaling, 0);
    } else {
      for (let c = 0; c < 3; c++) out[3 * i + c] = pixelToModel(rgb255[3 * i + c]!, spec.scaling, c);
    }
  }
  return out;
}

/** The model's input for a photo: Float32Array(H·W·C) in the model's units, row-major, channels last. */
export function preprocessPhoto(image: RgbaImage, spec: InputSpec): Float32Array {
  return scaleRgb(resizePhoto(image, spec), spec);
}

/** The model input as an RGBA image (H·W·4): exactly the tensor, scaled back to 0..255 and clamped. */
export function modelInputToRgba(values: Float32Array, spec: Pick<InputSpec, 'height' | 'width' | 'channels' | 'scaling'>): Uint8ClampedArray<ArrayBuffer> {
  const n = spec.height * spec.width;
  if (values.length !== n * spec.channels) throw new RangeError(`modelInputToRgba: ${values.length} values for ${spec.height}×${spec.width}×${spec.channels}`);
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const ch = spec.channels === 1 ? 0 : c;
      out[4 * i + c] = Math.round(modelToPixel(values[i * spec.channels + ch]!, spec.scaling, ch));
    }
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Blur for the "blurred photo" reference: σ = 1/16 of the longer side, at least 1 pixel. */
export function photoBlurSigma(spec: Pick<InputSpec, 'height' | 'width'>): number {
  return Math.max(1, Math.max(spec.height, spec.width) / 16);
}

/**
 * A DeepLIFT reference in model units for `input` (Float32Array(H·W·C)):
 * 'black' — pixel 0 in every channel; 'grey' — the scaling's zero where it
 * has one (−1..1 and ImageNet: model value 0, i.e. mid grey or the mean
 * colour), else mid grey (pixel 127.5); 'blurred' — each channel of the input
 * blurred with photoBlurSigma. Returns a new array.
 */
export function photoReference(kind: Exclude<PhotoReferenceKind, 'shap'>, input: Float32Array, spec: InputSpec, sigma = photoBlurSigma(spec)): Float32Array {
  const n = spec.height * spec.width;
  const out = new Float32Array(n * spec.channels);
  for (let c = 0; c < spec.channels; c++) {
    if (kind === 'blurred') {
      const plane = new Float32Array(n);
      for (let i = 0; i < n; i++) plane[i] = input[i * spec.channels + c]!;
      const blurred = gaussianBlur(plane, spec.width, spec.height, sigma);
      for (let i = 0; i < n; i++) out[i * spec.channels + c] = blurred[i]!;
      continue;
    }
    const hasZero = spec.scaling === 'signed' || spec.scaling === 'imagenet';
    const value = kind === 'black' ? pixelToModel(0, spec.scaling, c) : hasZero ? 0 : pixelToModel(127.5, spec.scaling, c);
    for (let i = 0; i < n; i++) out[i * spec.channels + c] = value;
  }
  return out;
}

/** Contributions (H·W·C) summed over channels → one value per pixel (H·W). */
export function sumChannels(values: Float32Array, channels: number): Float32Array {
  const n = values.length / channels;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += values[i * channels + c]!;
    out[i] = s;
  }
  return out;
}

/**
 * The references for `kind` in model units: one for black / grey / blurred,
 * SHAP_REFERENCE_COUNT for 'shap' (DeepLIFT-SHAP, Lundberg & Lee 2017 §4.2:
 * contributions averaged over a distribution of references): the photo blurred
 * with σ = ½, 1, 2, 4 × photoBlurSigma, and black plus seeded Gaussian noise
 * (std SHAP_NOISE_STD of the pixel range, clipped to it).
 */
export function photoReferences(kind: PhotoReferenceKind, input: Float32Array, spec: InputSpec): Float32Array[] {
  if (kind !== 'shap') return [photoReference(kind, input, spec)];
  const refs = SHAP_BLUR_FACTORS.map((f) => photoReference('blurred', input, spec, f * photoBlurSigma(spec)));
  const random = createRng(2017);
  // Box-Muller: one standard normal per call.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (let k = 0; k < SHAP_REFERENCE_COUNT - SHAP_BLUR_FACTORS.length; k++) {
    const ref = new Float32Array(input.length);
    for (let i = 0; i < ref.length; i++) {
      const c = spec.channels === 1 ? 0 : i % 3;
      const pixel = Math.min(255, Math.max(0, normal() * SHAP_NOISE_STD * 255));
      ref[i] = pixelToModel(pixel, spec.scaling, c);
    }
    refs.push(ref);
  }
  return refs;
}
