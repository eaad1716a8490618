/**
 * The Compare tab on a photo model: every attribution method (gradient,
 * guided backprop, gradient × input, integrated gradients, DeepLIFT Rescale
 * and RevealCancel, DeepLIFT-SHAP) on one photo, preprocessed and referenced
 * as explainPhoto does, each map summed over the colour channels (which only
 * regroups Σ, so each method's Σ vs Δt is unchanged). With the photo panel's
 * DeepLIFT-SHAP reference set, DeepLIFT-SHAP averages over those 8 references
 * and the single-reference methods use black (pixel 0); otherwise every method
 * uses the panel's reference and DeepLIFT-SHAP its noisy copies.
 */
import * as tf from '@tensorflow/tfjs';
import { compareMethods, type TimedAttribution } from '../attribution/compare';
import type { MethodName } from '../attribution/method-names';
import { modelInputToRgba, photoReference, sumChannels, type PhotoReferenceKind, type RgbaImage } from '../image/photo-preprocess';
import type { InputSpec } from './model-spec';
import { preparePhoto } from './photo-explain';

export interface PhotoCompareOptions {
  input: InputSpec;
  /** null: the predicted class. */
  target: number | null;
  contrast: number | null;
  reference: PhotoReferenceKind;
  /** Integrated gradients' steps; DeepLIFT-SHAP's noisy copies (single reference only). */
  steps: number;
  referenceCount: number;
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

/** Every method of `options.methods` on `photo`; not disposing the model; `signal` is checked between methods. */
export async function comparePhotoMethods(
  dynamicOrFixed: tf.LayersModel, photo: RgbaImage, options: PhotoCompareOptions, signal?: AbortSignal,
): Promise<PhotoComparison> {
  const spec = options.input;
  const { model, values, references, shape } = await preparePhoto(dynamicOrFixed, photo, { ...options, rule: 'rescale', softmaxNormalize: false });
  const isShapSet = references.length > 1;
  const single = isShapSet ? photoReference('black', values, spec) : references[0]!;
  const x = tf.tensor4d(values, shape);
  const x0 = tf.tensor4d(single, shape);
  const set = isShapSet ? tf.tensor4d(Float32Array.from(references.flatMap((r) => Array.from(r))), [references.length, spec.height, spec.width, spec.channels]) : null;
  try {
    const results = await compareMethods(model, x, {
      target: options.target ?? undefined,
      contrast: options.contrast !== null && options.contrast !== options.target ? options.contrast : null,
      reference: x0,
      steps: options.steps,
      referenceCount: options.referenceCount,
      ...(set ? { references: set } : {}),
    }, options.methods, signal);
    const logits = results[0]?.logits ?? [];
    return {
      height: spec.height,
      width: spec.width,
      seen: modelInputToRgba(values, spec),
      target: results[0]?.target ?? 0,
      contrast: results[0]?.contrast ?? null,
      predicted: logits.reduce((best, v, i) => (v > logits[best]! ? i : best), 0),
      referenceKind: isShapSet ? 'black' : options.reference,
      maps: results.map((r) => ({
        method: r.method as MethodName,
        attributions: sumChannels(r.attributions, spec.channels),
        sum: r.sum,
        delta: r.delta,
        completenessError: r.completenessError,
        sumStd: r.spread?.sumStd ?? null,
        ms: r.ms,
      })),
    };
  } finally {
    x.dispose();
    x0.dispose();
    set?.dispose();
  }
}
