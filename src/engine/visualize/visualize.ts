/**
 * Feature visualisation by optimisation (Erhan et al. 2009, "Visualizing
 * higher-layer features of a deep network"; Olah, Mordvintsev & Schubert,
 * "Feature Visualization", Distill 2017): find an image that maximises one
 * unit's activation. What makes the pictures clean instead of adversarial
 * noise, following the Distill article: the image is parametrised by its
 * Fourier coefficients scaled by 1/f (fourier-image.ts), in a decorrelated
 * colour space squashed by a sigmoid (colour.ts), and each step sees a
 * randomly padded, jittered, scaled and rotated copy (transforms.ts). Adam
 * (Kingma & Ba 2015) follows the gradient of the objective (objective.ts),
 * with lucid's redirected ReLU gradients so units that start switched off
 * can be switched on (redirected-relu.ts).
 * Deterministic for a seed: the initial spectrum and every transform come
 * from seeded generators.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../dream/jitter';
import { visualizationObjective, VISUALIZATION_OBJECTIVES } from '../dream/objective';
import type { InputMapping } from '../models/dream-model';
import { toValidRgb } from './colour';
import { fourierBasis, initialSpectrum, spectrumToImage, type FourierBasis } from './fourier-image';
import type { VisualizeFrame, VisualizeParams } from './params';
import { withRedirectedRelu } from './redirected-relu';
import { applyTransforms, drawTransform, resize, standardTransforms } from './transforms';

export { DEFAULT_VISUALIZE_PARAMS, THUMBNAIL_PARAMS } from './params';
export type { VisualizeFrame, VisualizeParams } from './params';

/** Thrown for parameters that cannot run on the model (unknown layer, channel out of range…). */
export class BadVisualizeParamsError extends Error {
  override name = 'BadVisualizeParamsError';
}

function abortError(): Error {
  const err = new Error('the visualisation was cancelled');
  err.name = 'AbortError';
  return err;
}

/**
 * Resolves after a macrotask, so messages queued for this thread (a cancel)
 * are handled between steps even on backends whose readbacks resolve at once
 * (CPU, WASM). Nested timeouts may be clamped to 4 ms: small beside a step.
 */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A model with `model`'s input whose single output is the layer `name` (the
 * model itself when that is already its only output). Shares weights: dispose
 * only `model`. Throws BadVisualizeParamsError for an unknown layer.
 */
export function layerOutputModel(model: tf.LayersModel, name: string): tf.LayersModel {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(name);
  } catch {
    throw new BadVisualizeParamsError(`the model has no layer named ${name}`);
  }
  if (model.outputs.length === 1 && model.outputs[0] === layer.output) return model;
  return tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor, name: `visualize_${name}` });
}

/** Channel count of a layer model's (first) output. */
export function outputChannels(layerModel: tf.LayersModel): number {
  const shape = layerModel.outputs[0].shape;
  return shape[shape.length - 1] ?? 0;
}

/** Throws BadVisualizeParamsError when `params` cannot run on `layerModel`. */
export function validateVisualizeParams(layerModel: tf.LayersModel, params: VisualizeParams): void {
  const bad = (msg: string): never => {
    throw new BadVisualizeParamsError(msg);
  };
  if (!VISUALIZATION_OBJECTIVES.includes(params.objective)) bad(`objective must be one of ${VISUALIZATION_OBJECTIVES.join(', ')}`);
  const channels = outputChannels(layerModel);
  if (params.objective !== 'layer' && (!Number.isInteger(params.channel) || params.channel < 0 || params.channel >= channels)) {
    bad(`channel must be an integer from 0 to ${channels - 1} for ${params.layer}`);
  }
  if (!Number.isInteger(params.size) || params.size < 8 || params.size > 1024) bad('size must be a whole number from 8 to 1024');
  if (!Number.isInteger(params.steps) || params.steps < 0) bad('steps must be a whole number ≥ 0');
  if (!(params.learningRate > 0) || !Number.isFinite(params.learningRate)) bad('learning rate must be > 0');
  if (!(params.decay >= 0 && params.decay <= 3)) bad('decay must be from 0 to 3');
  if (!Number.isInteger(params.frameEvery) || params.frameEvery < 0) bad('frameEvery must be a whole number ≥ 0');
}

/** [h, w, 3] in [0, 1] → RGBA bytes. Awaits the readback; does not dispose `rgb01`. */
export async function rgb01ToRgba(rgb01: tf.Tensor3D): Promise<Uint8ClampedArray> {
  const [h, w] = rgb01.shape;
  const rgb = await rgb01.data();
  const rgba = new Uint8ClampedArray(h * w * 4);
  for (let i = 0, j = 0; i < h * w; i++, j += 4) {
    rgba[j] = rgb[i * 3] * 255; // Uint8ClampedArray rounds and clips
    rgba[j + 1] = rgb[i * 3 + 1] * 255;
    rgba[j + 2] = rgb[i * 3 + 2] * 255;
    rgba[j + 3] = 255;
  }
  return rgba;
}

/**
 * [h, w, 3] in [0, 1] → [1, H, W, C] model input: resized to the model's fixed
 * input size if it has one, averaged to grey for one-channel models, mapped
 * to model units. Differentiable.
 */
function toModelInput(rgb01: tf.Tensor3D, layerModel: tf.LayersModel, input: InputMapping): tf.Tensor4D {
  return tf.tidy(() => {
    const shape = layerModel.inputs[0].shape;
    const [fixedH, fixedW, channels] = [shape[1], shape[2], shape[3]];
    let t = rgb01;
    if (fixedH != null && fixedW != null && (t.shape[0] !== fixedH || t.shape[1] !== fixedW)) t = resize(t, fixedH, fixedW);
    if (channels === 1) t = tf.mean(t, 2, true) as tf.Tensor3D;
    return tf.expandDims(tf.add(tf.mul(t, input.max - input.min), input.min), 0) as tf.Tensor4D;
  });
}

/** The image the spectrum parameters stand for: [size, size, 3] in (0, 1). */
function renderImage(spectrum: tf.Tensor2D, basis: FourierBasis): tf.Tensor3D {
  return tf.tidy(() => toValidRgb(tf.div(spectrumToImage(spectrum, basis), 4) as tf.Tensor3D));
}

/**
 * Optimises a `params.size`² image to maximise `params.objective` on the
 * output of `layerModel` (any LayersModel whose first output is the layer,
 * e.g. `layerOutputModel(model, 'mixed4')`; input [1, h, w, 3 or 1] in the
 * units given by `input`). Yields progress frames (pixels every `frameEvery`
 * steps) and last a frame with the final pixels. Checks `signal` between
 * steps (throws an Error named 'AbortError'); throws BadVisualizeParamsError.
 * Disposes everything it creates, also on abort, error or early return.
 */
export async function* visualizeFeature(
  layerModel: tf.LayersModel, input: InputMapping, params: VisualizeParams, signal?: AbortSignal,
): AsyncGenerator<VisualizeFrame> {
  validateVisualizeParams(layerModel, params);
  const { size, steps } = params;
  const rng = createRng(params.seed);
  const transforms = standardTransforms(size);
  const basis = fourierBasis(size, size, params.decay);
  let spectrum: tf.Variable | null = null;
  const optimizer = tf.train.adam(params.learningRate);
  const check = (): void => {
    if (signal?.aborted) throw abortError();
  };
  const frame = async (step: number, objective: number, withPixels: boolean): Promise<VisualizeFrame> => {
    if (!withPixels) return { step, steps, objective, width: size, height: size, pixels: null };
    const rgb = renderImage(spectrum as tf.Variable<tf.Rank.R2>, basis);
    try {
      return { step, steps, objective, width: size, height: size, pixels: await rgb01ToRgba(rgb) };
    } finally {
      rgb.dispose();
    }
  };
  try {
    check();
    const init = initialSpectrum(basis, params.seed);
    spectrum = tf.variable(init, true, undefined, 'float32');
    init.dispose();
    const s = spectrum as tf.Variable<tf.Rank.R2>;
    let objective = NaN;
    for (let step = 1; step <= steps; step++) {
      check();
      const draw = drawTransform(transforms, rng);
      const cost = withRedirectedRelu(layerModel, () => optimizer.minimize(() => {
        const rgb = renderImage(s, basis);
        const seen = params.robust ? applyTransforms(rgb, transforms, draw) : rgb;
        const activation = layerModel.apply(toModelInput(seen, layerModel, input), { training: false }) as tf.Tensor;
        return tf.neg(visualizationObjective(activation, params.objective, params.channel));
      }, true, [s]));
      objective = cost ? -(await cost.data())[0] : NaN;
      cost?.dispose();
      await nextMacrotask();
      const isLast = step === steps;
      if (!isLast) {
        const withPixels = params.frameEvery > 0 && step % params.frameEvery === 0;
        yield await frame(step, objective, withPixels);
      }
    }
    check();
    yield await frame(steps, objective, true);
  } finally {
    optimizer.dispose();
    spectrum?.dispose();
    basis.dispose();
  }
}

/**
 * Runs `visualizeFeature` to the end and returns its final frame (pixels set).
 * `onProgress` gets each frame as it comes.
 */
export async function visualizeToImage(
  layerModel: tf.LayersModel, input: InputMapping, params: VisualizeParams,
  options: { signal?: AbortSignal; onProgress?: (frame: VisualizeFrame) => void } = {},
): Promise<VisualizeFrame & { pixels: Uint8ClampedArray }> {
  let last: VisualizeFrame | null = null;
  for await (const f of visualizeFeature(layerModel, input, params, options.signal)) {
    last = f;
    options.onProgress?.(f);
  }
  if (!last?.pixels) throw new Error('the visualisation produced no image');
  return last as VisualizeFrame & { pixels: Uint8ClampedArray };
}
