/**
 * DeepLIFT on a photo for any image classifier: the photo is preprocessed by
 * the model's InputSpec (photo-preprocess.ts), the reference is built in the
 * same units, and the engine's deepLift explains one logit (or "target rather
 * than contrast", or the softmax-normalised logit, §3.6). The contributions
 * of the H×W×C input units are summed over the colour channels into one
 * value per pixel: summation-to-delta holds for that sum too, since it only
 * regroups the terms of Σ C = Δt. With the 'shap' reference set the result is
 * DeepLIFT-SHAP (Lundberg & Lee 2017, §4.2): the mean of the maps over the
 * references, whose sum is the mean Δt = t(x) − mean_r t(r).
 */
import * as tf from '@tensorflow/tfjs';
import { deepLift, type DeepLiftRule } from '../deeplift/deeplift';
import { convLayers } from '../deeplift/layer-backward';
import { deepLiftLayerScores, type LayerScoresResult } from '../deeplift/layer-scores';
import {
  modelInputToRgba,
  photoReferences,
  preprocessPhoto,
  sumChannels,
  type PhotoReferenceKind,
  type RgbaImage,
} from '../image/photo-preprocess';
import { atInputSize } from './fixed-size';
import type { InputSpec } from './model-spec';

export interface PhotoExplainOptions {
  input: InputSpec;
  rule: DeepLiftRule;
  /** null: the predicted class. */
  target: number | null;
  contrast: number | null;
  softmaxNormalize: boolean;
  reference: PhotoReferenceKind;
  /** How many of the most probable classes to report (default 5). */
  topK?: number;
}

export interface RankedClass {
  index: number;
  probability: number;
}

export interface PhotoExplanation {
  height: number;
  width: number;
  /** Contributions per pixel, summed over channels: Float32Array(H·W), row-major. */
  pixelContributions: Float32Array;
  /** Exactly the tensor the model saw, as RGBA bytes (H·W·4). */
  seen: Uint8ClampedArray<ArrayBuffer>;
  target: number;
  contrast: number | null;
  predicted: number;
  /** The top-k classes by probability, most probable first. */
  top: RankedClass[];
  probabilities: number[];
  delta: number;
  sum: number;
}

/** The k most probable classes, most probable first (ties: lower index first). */
export function topClasses(probabilities: readonly number[], k: number): RankedClass[] {
  return probabilities
    .map((probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(0, k));
}

/** Checks a class index against the model's class count (RangeError otherwise). */
function checkClass(name: string, value: number | null, numClasses: number): void {
  if (value !== null && !(Number.isInteger(value) && value >= 0 && value < numClasses)) {
    throw new RangeError(`${name} must be a class 0–${numClasses - 1} (got ${String(value)})`);
  }
}

/**
 * The model at the photo's input size (a dynamic-input model's cached copy),
 * the classes checked, the photo preprocessed and its references built.
 */
export async function preparePhoto(dynamicOrFixed: tf.LayersModel, photo: RgbaImage, options: PhotoExplainOptions) {
  const spec = options.input;
  const model = await atInputSize(dynamicOrFixed, spec.height, spec.width);
  const numClasses = model.outputs[0]!.shape[1] as number;
  checkClass('target', options.target, numClasses);
  checkClass('contrast', options.contrast, numClasses);
  const values = preprocessPhoto(photo, spec);
  const references = photoReferences(options.reference, values, spec);
  const shape: [number, number, number, number] = [1, spec.height, spec.width, spec.channels];
  return { model, values, references, shape };
}

/**
 * Explains `model`'s output for `photo` (any size; resized here). The model
 * must take [1, H, W, C] as in `options.input`, or have a dynamic H × W. Disposes
 * everything it creates except the cached fixed-size copy (releaseFixedSize).
 */
export async function explainPhoto(dynamicOrFixed: tf.LayersModel, photo: RgbaImage, options: PhotoExplainOptions): Promise<PhotoExplanation> {
  const spec = options.input;
  const { model, values, references, shape } = await preparePhoto(dynamicOrFixed, photo, options);
  const x = tf.tensor4d(values, shape);
  // DeepLIFT-SHAP: the mean of DeepLIFT over the references; Σ of the mean = mean of the Δt's.
  const attributions = new Float32Array(values.length);
  let delta = 0;
  let sum = 0;
  let lift: Awaited<ReturnType<typeof deepLift>> | null = null;
  try {
    for (const reference of references) {
      const x0 = tf.tensor4d(reference, shape);
      try {
        lift = await deepLift(model, x, {
          rule: options.rule,
          // After the first pass the target is fixed, so every reference explains the same class.
          target: options.target ?? lift?.target,
          contrast: options.contrast !== null && options.contrast !== options.target ? options.contrast : null,
          softmaxNormalize: options.softmaxNormalize,
          reference: x0,
        });
      } finally {
        x0.dispose();
      }
      for (let i = 0; i < attributions.length; i++) attributions[i]! += lift.attributions[i]! / references.length;
      delta += lift.delta / references.length;
      sum += lift.sum / references.length;
    }
  } finally {
    x.dispose();
  }
  if (!lift) throw new RangeError('no reference');
  const top = topClasses(lift.probabilities, options.topK ?? 5);
  return {
    height: spec.height,
    width: spec.width,
    pixelContributions: sumChannels(attributions, spec.channels),
    seen: modelInputToRgba(values, spec),
    target: lift.target,
    contrast: lift.contrast,
    predicted: top[0]?.index ?? 0,
    top,
    probabilities: lift.probabilities,
    delta,
    sum,
  };
}

export interface PhotoLayerScoresOptions extends PhotoExplainOptions {
  /** The conv layer whose channels are scored. */
  layer: string;
  /** How many of the largest channels get a map of where in the photo they contributed. */
  topChannels: number;
}

/** "Which filters decided" on a photo: the channels of one hidden layer, scored for the explained class. */
export type PhotoLayerScores = Pick<LayerScoresResult, 'layerShape' | 'channelContributions' | 'order' | 'topChannels' | 'target' | 'contrast' | 'delta' | 'sum'> & {
  layer: string;
  /** Every input→output path crosses the layer, so its channels' contributions sum to Δt. */
  isCut: boolean;
  /** Per top channel, where in the model's input it contributed: Float32Array(H·W), summed over colour channels. */
  topInputMaps: Float32Array[];
  /** The model input's size (the maps' size). */
  height: number;
  width: number;
};

/** The conv layers of `model` at the input size of `input` (a dynamic model's copy at that size). */
export async function photoConvLayers(model: tf.LayersModel, input: InputSpec) {
  return convLayers(await atInputSize(model, input.height, input.width));
}

/**
 * DeepLIFT scores of `options.layer`'s channels for `photo` (the engine's
 * deepLiftLayerScores), preprocessed and referenced exactly as explainPhoto.
 * With several references (DeepLIFT-SHAP) every score is the mean over them:
 * the channels are ranked by the mean, then their maps are averaged (a second
 * round of passes, each mapping those channels).
 */
export async function photoLayerScores(dynamicOrFixed: tf.LayersModel, photo: RgbaImage, options: PhotoLayerScoresOptions): Promise<PhotoLayerScores> {
  const spec = options.input;
  const { model, values, references, shape } = await preparePhoto(dynamicOrFixed, photo, options);
  const layer = convLayers(model).find((l) => l.name === options.layer);
  if (!layer) throw new RangeError(`The model has no convolutional layer named "${options.layer}"`);
  const x = tf.tensor4d(values, shape);
  const n = references.length;
  let target = options.target;
  const contrast = options.contrast !== null && options.contrast !== options.target ? options.contrast : null;
  const pass = async (reference: Float32Array, scores: { topChannels: number } | { channels: number[] }) => {
    const x0 = tf.tensor4d(reference, shape);
    try {
      const r = await deepLiftLayerScores(model, x, {
        rule: options.rule, layer: options.layer, target: target ?? undefined, contrast, softmaxNormalize: options.softmaxNormalize, reference: x0, ...scores,
      });
      target = r.target;
      return r;
    } finally {
      x0.dispose();
    }
  };
  try {
    let first = await pass(references[0]!, { topChannels: n === 1 ? options.topChannels : 0 });
    const contributions = Float32Array.from(first.channelContributions, (v) => v / n);
    let delta = first.delta / n;
    let sum = first.sum / n;
    for (const reference of references.slice(1)) {
      const r = await pass(reference, { topChannels: 0 });
      r.channelContributions.forEach((v, c) => { contributions[c]! += v / n; });
      delta += r.delta / n;
      sum += r.sum / n;
    }
    let { order, topChannels, topInputMaps } = first;
    if (n > 1) {
      order = Array.from(contributions, (_, c) => c).sort((a, b) => contributions[b]! - contributions[a]! || a - b);
      // The channels that mattered most, for or against: largest |C| first (as layer-scores ranks them).
      topChannels = [...order].sort((a, b) => Math.abs(contributions[b]!) - Math.abs(contributions[a]!) || a - b).slice(0, Math.max(0, Math.min(options.topChannels, order.length)));
      topInputMaps = topChannels.map(() => new Float32Array(values.length));
      if (topChannels.length > 0) {
        for (const reference of references) {
          first = await pass(reference, { channels: topChannels });
          first.topInputMaps.forEach((m, k) => m.forEach((v, i) => { topInputMaps[k]![i]! += v / n; }));
        }
      }
    }
    return {
      layer: options.layer,
      layerShape: first.layerShape,
      isCut: layer.isCut,
      channelContributions: contributions,
      order,
      topChannels,
      topInputMaps: topInputMaps.map((m) => sumChannels(m, spec.channels)),
      height: spec.height,
      width: spec.width,
      target: first.target,
      contrast: first.contrast,
      delta,
      sum,
    };
  } finally {
    x.dispose();
  }
}
