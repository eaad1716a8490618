/**
 * Deep Dream (Mordvintsev, Olah & Tyka, "Inceptionism: Going Deeper into
 * Neural Networks", Google Research blog, 2015; the original deepdream
 * notebook and TensorFlow's DeepDream tutorial): gradient ascent on the image
 * to increase a layer's activation, over several octaves (scales), smallest
 * first. Each step rolls the image by a random jitter, takes the (tiled)
 * gradient of the objective, normalises it by its mean absolute value, adds
 * stepSize times it and clips to the valid pixel range. Between octaves the
 * detail found (result − base at the smaller scale) is upscaled and added to
 * the next octave's base, so patterns grow at every scale.
 *
 * Activation maximisation (`fromNoise`) starts from seeded noise instead of
 * the photo (whose size is still used).
 */
import * as tf from '@tensorflow/tfjs';
import { type DreamModel } from '../models/dream-model';
import { createRng, randomShift, roll, type Rng } from './jitter';
import { guideObjective } from './guide';
import { dreamObjective } from './objective';
import { octaveSizes } from './octaves';
import type { DreamFrame, DreamParams } from './params';
import { gaussianBlur } from './smooth';
import { tiledGradient, type ValueAndGradient } from './tiles';

export { DEFAULT_DREAM_PARAMS, DREAM_LAYERS } from './params';
export type { DreamFrame, DreamParams } from './params';

/** Thrown for parameters the engine cannot run with (unknown layer, channel out of range…). */
export class BadParamsError extends Error {
  override name = 'BadParamsError';
}

function abortError(): Error {
  const err = new Error('Deep Dream was cancelled');
  err.name = 'AbortError';
  return err;
}

/** Throws BadParamsError when the parameters cannot run on `model`. */
export function validateDreamParams(model: DreamModel, params: DreamParams): void {
  const bad = (msg: string): never => {
    throw new BadParamsError(msg);
  };
  if (params.layers.length === 0) bad('choose at least one layer');
  const checkChannel = (layer: string, channel: number) => {
    const out = model.trunk.getLayer(layer).outputShape as number[];
    const channels = out[out.length - 1];
    if (!Number.isInteger(channel) || channel < 0 || channel >= channels) bad(`channel must be an integer from 0 to ${channels - 1} for ${layer}`);
  };
  for (const l of params.layers) {
    if (!model.layerNames.includes(l.name)) bad(`unknown layer ${l.name}; choose one of ${model.layerNames.join(', ')}`);
    if (!Number.isFinite(l.weight)) bad(`layer ${l.name} has no finite weight`);
    if (l.channel !== undefined) checkChannel(l.name, l.channel);
  }
  const hasLayerChannels = params.layers.some((l) => l.channel !== undefined);
  if (params.channel !== null) {
    if (params.layers.length !== 1) bad('a channel can be chosen for a single layer only');
    if (hasLayerChannels) bad('choose one filter for the dream, or filters per layer, not both');
    checkChannel(params.layers[0].name, params.channel);
  }
  if (hasLayerChannels && params.guide) bad('a guide applies to the whole layer: choose a guide or filters, not both');
  if (params.guide) {
    const { layer, features } = params.guide;
    if (params.layers.length !== 1 || params.layers[0].name !== layer) bad(`a guide is for a single layer (${layer}): choose that layer alone`);
    if (params.channel !== null) bad('a guide applies to the whole layer: choose a guide or a filter, not both');
    const out = model.trunk.getLayer(layer).outputShape as number[];
    if (features.rank !== 2 || features.shape[1] !== out[out.length - 1] || features.shape[0] < 1) bad(`the guide's features do not match ${layer}`);
  }
  if (!Number.isInteger(params.octaves) || params.octaves < 1) bad('octaves must be a whole number ≥ 1');
  if (!(params.octaveScale >= 1)) bad('octave scale must be ≥ 1');
  if (!Number.isInteger(params.steps) || params.steps < 0) bad('steps must be a whole number ≥ 0');
  if (!(params.stepSize >= 0) || !Number.isFinite(params.stepSize)) bad('step size must be ≥ 0');
  if (!(params.tileSize >= 2 * model.minSide)) bad(`tile size must be at least ${2 * model.minSide}`);
  if (!(params.jitter >= 0)) bad('jitter must be ≥ 0');
  if (params.gradientBlur !== undefined && !(params.gradientBlur >= 0 && params.gradientBlur <= 16)) bad('gradient blur must be from 0 to 16 px');
  if (!Number.isInteger(params.frameEvery) || params.frameEvery < 1) bad('frameEvery must be a whole number ≥ 1');
}

/**
 * One dream step's gradient machinery, bound to a model and parameters: the
 * objective and its gradient w.r.t. a [1, h, w, 3] image in model units.
 * Exported for the benchmark (bare forward + gradient) and tests.
 */
export function makeGradientFn(model: DreamModel, params: Pick<DreamParams, 'layers' | 'channel' | 'objective' | 'guide'>): (image: tf.Tensor4D) => ValueAndGradient {
  // A layer named twice (two filters of one layer) is computed once.
  const names = [...new Set(params.layers.map((l) => l.name))];
  const sub = model.forLayers(names);
  const slot = params.layers.map((l) => names.indexOf(l.name));
  const weights = params.layers.map((l) => l.weight);
  const channels = params.layers.some((l) => l.channel !== undefined) ? params.layers.map((l) => l.channel ?? null) : params.channel;
  const { guide } = params;
  const f = (x: tf.Tensor4D): tf.Scalar => {
    const raw = sub.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
    const out = Array.isArray(raw) ? raw : [raw];
    if (guide) return tf.tidy(() => tf.mul(guideObjective(out[0], guide.features), weights[0]));
    return dreamObjective(slot.map((i) => out[i]), weights, channels, params.objective);
  };
  const vg = tf.valueAndGrad(f);
  return (image) => {
    const { value, grad } = vg(image);
    return { value, grad: grad as tf.Tensor4D };
  };
}

/**
 * One gradient-ascent step: roll by a random jitter, tiled gradient, roll the
 * gradient back, optionally blur it, normalise by its mean |g| (ε guards a zero gradient), add
 * stepSize·g, clip to [min, max]. Returns the new image and the objective
 * value (caller owns both); does not dispose `image`.
 */
export function dreamStep(
  image: tf.Tensor4D,
  gradient: (image: tf.Tensor4D) => ValueAndGradient,
  params: Pick<DreamParams, 'stepSize' | 'tileSize' | 'jitter' | 'gradientBlur'>,
  range: { min: number; max: number },
  rng: Rng,
): { image: tf.Tensor4D; value: tf.Scalar } {
  return tf.tidy(() => {
    const dy = randomShift(rng, params.jitter);
    const dx = randomShift(rng, params.jitter);
    const shifted = roll(image, dy, dx);
    const { value, grad } = tiledGradient(shifted, gradient, params.tileSize, rng);
    const g = gaussianBlur(roll(grad, -dy, -dx), params.gradientBlur ?? 0);
    const normalised = tf.div(g, tf.add(tf.mean(tf.abs(g)), 1e-8));
    const next = tf.clipByValue(tf.add(image, tf.mul(normalised, params.stepSize)), range.min, range.max) as tf.Tensor4D;
    return { image: next, value };
  });
}

/**
 * [1, h, w, 3] in model units → RGBA bytes (0..255, alpha 255) via the model's
 * input mapping. Awaits the readback; does not dispose `image`.
 */
export async function imageToRgba(image: tf.Tensor4D, input: DreamModel['input']): Promise<Uint8ClampedArray> {
  const [, h, w] = image.shape;
  const pixels255 = tf.tidy(() => tf.div(tf.sub(image, input.offset), input.scale));
  try {
    const rgb = await pixels255.data();
    const rgba = new Uint8ClampedArray(h * w * 4);
    for (let i = 0, j = 0; i < h * w; i++, j += 4) {
      rgba[j] = rgb[i * 3]; // Uint8ClampedArray rounds and clips
      rgba[j + 1] = rgb[i * 3 + 1];
      rgba[j + 2] = rgb[i * 3 + 2];
      rgba[j + 3] = 255;
    }
    return rgba;
  } finally {
    pixels255.dispose();
  }
}

/**
 * Runs Deep Dream on `photo` ([h, w, 3] float32 in 0..255, not disposed) and
 * yields frames: every `frameEvery` steps and at the end of each octave; the
 * last yield is the final image at the photo's size. Checks `signal` between
 * steps and throws an Error named 'AbortError' when aborted; throws
 * BadParamsError for unusable parameters. Disposes everything it creates,
 * also on abort, error or an early `return()` of the generator.
 */
export async function* deepDream(model: DreamModel, photo: tf.Tensor3D, params: DreamParams, signal?: AbortSignal): AsyncGenerator<DreamFrame> {
  validateDreamParams(model, params);
  const [height, width] = photo.shape;
  if (Math.min(width, height) < model.minSide || photo.shape[2] !== 3) {
    const err = new Error(`the image must be RGB and at least ${model.minSide}×${model.minSide} pixels (got ${width}×${height})`);
    err.name = 'BadImageError';
    throw err;
  }
  const { input } = model;
  const rng = createRng(params.seed);
  const gradient = makeGradientFn(model, params);
  const sizes = octaveSizes(width, height, params.octaves, params.octaveScale, model.minSide);
  const live = new Set<tf.Tensor>();
  const keep = <T extends tf.Tensor>(t: T): T => {
    live.add(t);
    return t;
  };
  const drop = (t: tf.Tensor | null): void => {
    if (t) {
      live.delete(t);
      t.dispose();
    }
  };
  const check = (): void => {
    if (signal?.aborted) throw abortError();
  };

  try {
    check();
    const base: tf.Tensor4D = keep(
      tf.tidy((): tf.Tensor4D => {
        if (params.fromNoise) {
          // Mid-grey plus ±10 % of the range of seeded uniform noise.
          const mid = (input.min + input.max) / 2;
          const amp = 0.1 * (input.max - input.min);
          return tf.randomUniform([1, height, width, 3], mid - amp, mid + amp, 'float32', params.seed) as tf.Tensor4D;
        }
        return tf.add(tf.mul(photo, input.scale), input.offset).expandDims(0) as tf.Tensor4D;
      }),
    );
    let detail: tf.Tensor4D | null = null;
    for (let o = 0; o < sizes.length; o++) {
      const { width: w, height: h } = sizes[o];
      const octaveBase: tf.Tensor4D = keep(tf.tidy((): tf.Tensor4D => (w === width && h === height ? base.clone() : tf.image.resizeBilinear(base, [h, w], false, true))));
      const d: tf.Tensor4D | null = detail;
      let image: tf.Tensor4D = keep(
        tf.tidy((): tf.Tensor4D => {
          if (!d) return octaveBase.clone();
          const up: tf.Tensor4D = d.shape[1] === h && d.shape[2] === w ? d : tf.image.resizeBilinear(d, [h, w], false, true);
          return tf.clipByValue(tf.add(octaveBase, up), input.min, input.max) as tf.Tensor4D;
        }),
      );
      drop(detail);
      detail = null;
      let objective = NaN;
      for (let s = 1; s <= params.steps; s++) {
        check();
        const next = dreamStep(image, gradient, params, input, rng);
        keep(next.image);
        keep(next.value);
        drop(image);
        image = next.image;
        // Awaiting the scalar readback yields to the event loop between steps,
        // so a cancel message can arrive, and keeps GPU queues short.
        objective = (await next.value.data())[0];
        drop(next.value);
        if (s % params.frameEvery === 0 || s === params.steps) {
          check();
          const pixels = await imageToRgba(image, input);
          yield { octave: o, octaves: sizes.length, step: s, steps: params.steps, width: w, height: h, pixels, objective };
        }
      }
      if (params.steps === 0) {
        const pixels = await imageToRgba(image, input);
        yield { octave: o, octaves: sizes.length, step: 0, steps: 0, width: w, height: h, pixels, objective };
      }
      check();
      if (o < sizes.length - 1) {
        const img: tf.Tensor4D = image;
        detail = keep(tf.tidy((): tf.Tensor4D => tf.sub(img, octaveBase)));
      }
      drop(image);
      drop(octaveBase);
    }
  } finally {
    for (const t of live) t.dispose();
    live.clear();
  }
}
