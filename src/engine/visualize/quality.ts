/**
 * Measures of a feature visualisation's quality, used by the tests and the
 * figures in docs/notes-fv.md:
 *  - relative activation (Distill "Feature Visualization" judges a
 *    visualisation by how much more it excites its unit than natural images
 *    do): each channel's mean activation on the visualisation divided by its
 *    usual mean activation on photos; the visualised channel should rank
 *    first, or nearly, among all channels of the layer;
 *  - high-frequency power: the share of the grey image's spectral power (DC
 *    excluded) at radial frequencies above a cutoff. Photos have little there
 *    (their spectra fall as 1/f²); pixel noise has most of it (≈ 80 % above
 *    0.25 cycles/px for white noise).
 */
import * as tf from '@tensorflow/tfjs';
import { fftFrequency } from './fourier-image';

/**
 * Per-channel mean activation of `layerModel`'s output, averaged over the
 * images ([1, h, w, c] model inputs, not disposed). Returns plain data.
 */
export async function channelMeans(layerModel: tf.LayersModel, inputs: readonly tf.Tensor4D[]): Promise<Float32Array> {
  let sum: Float32Array | null = null;
  for (const x of inputs) {
    const m = tf.tidy(() => tf.mean(layerModel.predict(x) as tf.Tensor, [0, 1, 2]));
    try {
      const v = (await m.data()) as Float32Array;
      if (!sum) sum = new Float32Array(v.length);
      for (let i = 0; i < v.length; i++) sum[i] += v[i] / inputs.length;
    } finally {
      m.dispose();
    }
  }
  if (!sum) throw new RangeError('at least one image is needed');
  return sum;
}

export interface RelativeActivation {
  /** activation / usual activation of each channel. */
  ratios: Float32Array;
  /** 0-based rank of the target channel by ratio (0 = it is excited most). */
  rank: number;
  /** Share of the other channels whose ratio is below the target's. */
  fractionBelow: number;
}

/**
 * Ranks `channel` by activation relative to usual activation. The usual
 * activation is floored at 5 % of its layer-wide mean (ε), so a channel that is
 * almost silent on photos cannot win by division by ~0.
 */
export function relativeActivation(activation: ArrayLike<number>, usual: ArrayLike<number>, channel: number): RelativeActivation {
  const n = activation.length;
  let meanUsual = 0;
  for (let i = 0; i < n; i++) meanUsual += Math.max(0, usual[i]) / n;
  const eps = 0.05 * meanUsual + 1e-12;
  const ratios = new Float32Array(n);
  for (let i = 0; i < n; i++) ratios[i] = activation[i] / Math.max(usual[i], eps);
  let above = 0;
  let below = 0;
  for (let i = 0; i < n; i++) {
    if (i === channel) continue;
    if (ratios[i] > ratios[channel]) above++;
    else below++;
  }
  return { ratios, rank: above, fractionBelow: n > 1 ? below / (n - 1) : 1 };
}

/**
 * Share of spectral power of the grey version of an RGBA image at radial
 * frequency > `cutoff` cycles/px (of at most √0.5), DC excluded. Plain float64
 * separable DFT (O(h·w·(h + w))), fine for visualisation sizes.
 */
export function highFrequencyPower(rgba: ArrayLike<number>, width: number, height: number, cutoff = 0.25): number {
  const grey = new Float64Array(width * height);
  let mean = 0;
  for (let i = 0; i < width * height; i++) {
    grey[i] = (rgba[i * 4] + rgba[i * 4 + 1] + rgba[i * 4 + 2]) / 3;
    mean += grey[i] / (width * height);
  }
  for (let i = 0; i < grey.length; i++) grey[i] -= mean;
  // DFT along x for every row.
  const re1 = new Float64Array(width * height);
  const im1 = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let v = 0; v < width; v++) {
      let re = 0;
      let im = 0;
      for (let x = 0; x < width; x++) {
        const a = (-2 * Math.PI * v * x) / width;
        re += grey[y * width + x] * Math.cos(a);
        im += grey[y * width + x] * Math.sin(a);
      }
      re1[y * width + v] = re;
      im1[y * width + v] = im;
    }
  }
  let total = 0;
  let high = 0;
  for (let v = 0; v < width; v++) {
    const fx = fftFrequency(v, width);
    for (let u = 0; u < height; u++) {
      let re = 0;
      let im = 0;
      for (let y = 0; y < height; y++) {
        const a = (-2 * Math.PI * u * y) / height;
        const c = Math.cos(a);
        const s = Math.sin(a);
        re += re1[y * width + v] * c - im1[y * width + v] * s;
        im += re1[y * width + v] * s + im1[y * width + v] * c;
      }
      if (u === 0 && v === 0) continue;
      const p = re * re + im * im;
      total += p;
      if (Math.hypot(fx, fftFrequency(u, height)) > cutoff) high += p;
    }
  }
  return total > 0 ? high / total : 0;
}

/**
 * [h, w, 3] photo in [0, 1] → square [1, size, size, 3] views at several
 * scales: the shorter side resized to size·f and the centre size² cropped,
 * for each f in `zooms`. The caller owns the results; the photo is not disposed.
 */
export function photoViews(photo01: tf.Tensor3D, size: number, zooms: readonly number[] = [1, 1.5, 2]): tf.Tensor4D[] {
  return zooms.map((f) => tf.tidy(() => {
    const [h, w] = photo01.shape;
    const k = (size * f) / Math.min(h, w);
    const nh = Math.max(size, Math.round(h * k));
    const nw = Math.max(size, Math.round(w * k));
    const resized = tf.image.resizeBilinear(photo01, [nh, nw], false, true);
    const top = Math.floor((nh - size) / 2);
    const left = Math.floor((nw - size) / 2);
    return tf.expandDims(tf.slice(resized, [top, left, 0], [size, size, 3]), 0) as tf.Tensor4D;
  }));
}

/**
 * The usual activation of each channel: its mean activation over photoViews
 * of every photo ([h, w, 3] in model input units, not disposed).
 */
export async function usualActivation(layerModel: tf.LayersModel, photos: readonly tf.Tensor3D[], size: number): Promise<Float32Array> {
  const views = photos.flatMap((p) => photoViews(p, size));
  try {
    return await channelMeans(layerModel, views);
  } finally {
    tf.dispose(views);
  }
}

export interface ExcitedChannel {
  channel: number;
  /** Mean activation on the photo / usual mean activation. */
  ratio: number;
}

/**
 * "What this photo excites": the layer's channels ranked by how much more the
 * photo ([1, h, w, c] model input, not disposed) activates them than photos
 * usually do (one forward pass), the `top` strongest first.
 */
export async function excitedChannels(layerModel: tf.LayersModel, photo: tf.Tensor4D, usual: ArrayLike<number>, top: number): Promise<ExcitedChannel[]> {
  const means = await channelMeans(layerModel, [photo]);
  const { ratios } = relativeActivation(means, usual, 0);
  return Array.from(ratios, (ratio, channel) => ({ channel, ratio }))
    .sort((a, b) => b.ratio - a.ratio || a.channel - b.channel)
    .slice(0, Math.max(0, top));
}
