/**
 * The Compare tab on a photo model: every attribution method (gradient,
 * guided backprop, gradient × input, integrated gradients, DeepLIFT Rescale
 * and RevealCancel, DeepLIFT-SHAP) on one photo, preprocessed and referenced
 * as explainPhoto does, each map summed over the colour channels (which only
 * regroups Σ, so each method's Σ vs Δt is unchanged). DeepLIFT-SHAP averages
 * over the photo panel's 8 references (photoReferences 'shap': in the model's
 * units, unlike the attribution module's noisy copies, which assume inputs in
 * 0..1); the other methods use the panel's reference, or black when that is
 * the SHAP set. Memory is bounded by the input size: integrated gradients and
 * DeepLIFT-SHAP run in batches of at most `photoBatchRows` images (on WASM a
 * batch of 50 MobileNetV2 passes at 224 × 224 runs out of memory).
 */
import * as tf from '@tensorflow/tfjs';
import { compareMethods, type TimedAttribution } from '../attribution/compare';
import { deepLiftShap } from '../attribution/deeplift-shap';
import type { MethodName } from '../attribution/method-names';
import { modelInputToRgba, photoReference, photoReferences, sumChannels, type PhotoReferenceKind, type RgbaImage } from '../image/photo-preprocess';
import type { InputSpec } from './model-spec';
import { preparePhoto } from './photo-explain';

export interface PhotoCompareOptions {
  input: InputSpec;
  /** null: the predicted class. */
  target: number | null;
  contrast: number | null;
  reference: PhotoReferenceKind;
  /** Integrated gradients' steps. */
  steps: number;
  methods: readonly MethodName[];
}

/** One method's map: Σ, Δt, |Σ − Δt| and its time as the engine reports them; the scores per pixel. */
export type PhotoCompareMap = Pick<TimedAttribution, 'sum' | 'delta' | 'completenessError' | 'ms'> & {
  method: MethodName;
  /** Scores per model-input pixel, summed over colour channels: Float32Array(H·W). */
  attributions: Float32Array;
  /** DeepLIFT-SHAP: std of Σ over its references; null for the others. */
  sumStd: number | null;
};

export interface PhotoComparison {
  height: number;
  width: number;
  /** The tensor the model saw, as RGBA bytes (H·W·4). */
  seen: Uint8ClampedArray<ArrayBuffer>;
  target: number;
  contrast: number | null;
  predicted: number;
  /** The single reference the reference-based methods used. */
  referenceKind: PhotoReferenceKind;
  maps: PhotoCompareMap[];
}

/** Images per batched pass for an input of `size` values: 64 for small inputs, 3 at 224 × 224 × 3. */
export function photoBatchRows(size: number): number {
  return Math.max(1, Math.min(64, Math.floor(2 ** 19 / size)));
}

/** DeepLIFT-SHAP over `references` in batches of `rows`, pooled into one map (mean) and the spread of Σ over references. */
async function chunkedShap(
  model: tf.LayersModel, x: tf.Tensor, references: Float32Array[], rows: number, target: number | undefined, contrast: number | null,
  channels: number, signal?: AbortSignal,
): Promise<{ map: PhotoCompareMap; target: number; contrast: number | null; logits: number[] }> {
  const t0 = performance.now();
  const n = references.length;
  const mean = new Float64Array(x.size);
  let sumMean = 0;
  let sumSq = 0;
  let deltaMean = 0;
  let last: Awaited<ReturnType<typeof deepLiftShap>> | null = null;
  for (let start = 0; start < n; start += rows) {
    signal?.throwIfAborted();
    const chunk = references.slice(start, start + rows);
    const refs = tf.tensor(Float32Array.from(chunk.flatMap((r) => Array.from(r))), [chunk.length, ...x.shape.slice(1)]);
    try {
      last = await deepLiftShap(model, x, { target: target ?? last?.target, contrast, references: refs });
    } finally {
      refs.dispose();
    }
    const w = chunk.length / n;
    last.attributions.forEach((v, i) => { mean[i] += v * w; });
    const s = last.spread!;
    sumMean += s.sumMean * w;
    sumSq += (s.sumStd ** 2 + s.sumMean ** 2) * w;
    deltaMean += s.deltaMean * w;
  }
  const attributions = Float32Array.from(mean);
  let sum = 0;
  for (const v of attributions) sum += v;
  return {
    map: {
      method: 'deeplift-shap', attributions: sumChannels(attributions, channels), sum, delta: deltaMean,
      completenessError: Math.abs(sum - deltaMean), sumStd: Math.sqrt(Math.max(0, sumSq - sumMean ** 2)), ms: performance.now() - t0,
    },
    target: last!.target, contrast: last!.contrast, logits: last!.logits,
  };
}

/** Every method of `options.methods` on `photo`; not disposing the model; `signal` is checked between methods. */
export async function comparePhotoMethods(
  dynamicOrFixed: tf.LayersModel, photo: RgbaImage, options: PhotoCompareOptions, signal?: AbortSignal,
): Promise<PhotoComparison> {
  const spec = options.input;
  const { model, values, references, shape } = await preparePhoto(dynamicOrFixed, photo, { ...options, rule: 'rescale', softmaxNormalize: false });
  const isShapSet = references.length > 1;
  const single = isShapSet ? photoReference('black', values, spec) : references[0]!;
  const shapSet = isShapSet ? references : photoReferences('shap', values, spec);
  const rows = photoBatchRows(values.length);
  const contrast = options.contrast !== null && options.contrast !== options.target ? options.contrast : null;
  const x = tf.tensor4d(values, shape);
  const x0 = tf.tensor4d(single, shape);
  try {
    const others = options.methods.filter((m) => m !== 'deeplift-shap');
    const results = others.length > 0
      ? await compareMethods(model, x, { target: options.target ?? undefined, contrast, reference: x0, steps: options.steps, maxBatch: rows }, others, signal)
      : [];
    const maps: PhotoCompareMap[] = results.map((r) => ({
      method: r.method as MethodName,
      attributions: sumChannels(r.attributions, spec.channels),
      sum: r.sum,
      delta: r.delta,
      completenessError: r.completenessError,
      sumStd: null,
      ms: r.ms,
    }));
    let target = results[0]?.target;
    let logits = results[0]?.logits ?? [];
    let resultContrast = results[0]?.contrast ?? contrast;
    if (options.methods.includes('deeplift-shap')) {
      signal?.throwIfAborted();
      const shap = await chunkedShap(model, x, shapSet, rows, target ?? options.target ?? undefined, contrast, spec.channels, signal);
      maps.splice(options.methods.indexOf('deeplift-shap'), 0, shap.map);
      target ??= shap.target;
      if (logits.length === 0) logits = shap.logits;
      resultContrast = shap.contrast;
    }
    return {
      height: spec.height,
      width: spec.width,
      seen: modelInputToRgba(values, spec),
      target: target ?? 0,
      contrast: resultContrast,
      predicted: logits.reduce((best, v, i) => (v > logits[best]! ? i : best), 0),
      referenceKind: isShapSet ? 'black' : options.reference,
      maps,
    };
  } finally {
    x.dispose();
    x0.dispose();
  }
}
