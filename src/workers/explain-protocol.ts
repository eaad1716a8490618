/**
 * Types shared by the Explain worker (explain-api.ts) and its main-thread
 * client (explain-client.ts). Plain data only; the result's Float32Arrays
 * travel as transferables.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { ReferenceSpec } from '../engine/image/reference';
import type { UploadInk } from '../engine/image/mnist-preprocess';
import type { PhotoReferenceKind, RgbaImage } from '../engine/image/photo-preprocess';
import type { InputSpec } from '../engine/models/model-spec';
import type { PhotoLayerScores } from '../engine/models/photo-explain';
import type { PhotoCompareOptions, PhotoComparison } from '../engine/models/photo-compare';
import type { RankedClass } from '../engine/models/photo-explain';
import type { AddedModel, AddModelRequest } from './model-registry';
import type { BackendStartOptions, WorkerFault } from './device-lost';
import type { CancellableApi } from './worker-handle';
import type { WorkerMemory } from './worker-stats';

/** DeepLIFT's nonlinearity rules (Shrikumar et al. 2017, §3.5.2 Rescale, §3.5.3 RevealCancel). */
export type ExplainRule = 'rescale' | 'revealcancel';

export interface ExplainParams {
  rule: ExplainRule;
  /** The class whose pre-softmax logit is explained; null: the predicted class. */
  target: number | null;
  /** Explain "target rather than contrast": t = logit[target] − logit[contrast]; null: the target alone. */
  contrast: number | null;
  /** Subtract the mean over classes from the logits' contributions (the paper's softmax adjustment, §3.6). */
  softmaxNormalize: boolean;
  reference: ReferenceSpec;
  /** The model asked for; only the built-in 'mnist' takes drawn digits (default). */
  modelId?: string;
}

/** The built-in digit classifier's id in the model catalogue and the worker's registry. */
export const MNIST_MODEL_ID = 'mnist';

/** A photo explanation on a photo model (any image classifier). */
export interface PhotoExplainParams {
  /** How the photo becomes the model's input tensor. */
  input: InputSpec;
  rule: ExplainRule;
  target: number | null;
  contrast: number | null;
  softmaxNormalize: boolean;
  reference: PhotoReferenceKind;
}

export interface PhotoExplainResult {
  modelId: string;
  height: number;
  width: number;
  /** Contributions per model-input pixel, summed over colour channels: Float32Array(H·W). Sums to `delta`. */
  attributions: Float32Array;
  /** The tensor the model saw, as RGBA bytes (H·W·4). */
  seen: Uint8ClampedArray;
  target: number;
  contrast: number | null;
  predicted: number;
  /** The five most probable classes, most probable first. */
  top: RankedClass[];
  delta: number;
  sum: number;
}

export interface ExplainResult {
  /** Contributions C of the 784 input pixels to the target, [28·28] row-major. Sums to `delta`. */
  attributions: Float32Array;
  /** The class explained (the predicted one when the request said null). */
  target: number;
  contrast: number | null;
  /** argmax of `probabilities`. */
  predicted: number;
  /** Δt = t(x) − t(x₀). */
  delta: number;
  /** Σ C over the input pixels; DeepLIFT makes this equal `delta` (summation-to-delta). */
  sum: number;
  logits: number[];
  probabilities: number[];
  referenceLogits: number[];
  referenceProbabilities: number[];
  /** The ten class maps from one batched pass (index = class), same units as `attributions`. */
  classMaps: Float32Array[];
  /** Δt of each class map. */
  classDeltas: number[];
  /** The reference image used, Float32Array(784) in [0, 1]. */
  reference01: Float32Array;
}

/** A convolutional layer of the classifier whose filters can be scored ("Which filters decided"). */
export interface HiddenLayerInfo {
  name: string;
  className: string;
  /** [H, W, C] of its output. */
  shape: number[];
  /** Every path from the input to the logits crosses it, so its channels' contributions sum to Δt. */
  isCut: boolean;
}

export interface FiltersParams extends ExplainParams {
  /** Name of the hidden layer whose channels are scored. */
  layer: string;
  /** How many of the largest channels get an input-space map. */
  topChannels: number;
}

/** DeepLIFT scores of one hidden layer's channels for the explained class. */
export interface FiltersResult {
  layer: string;
  /** [H, W, C] of the layer. */
  layerShape: number[];
  isCut: boolean;
  /** Σ of the contributions C of each channel's units to t, [C]. */
  channelContributions: Float32Array;
  /** Channel indices, largest contribution first. */
  order: number[];
  /** The channels with the largest |C| (for or against), largest first, and, for each, where in the input it contributed: input-sized, summing to its C. */
  topChannels: number[];
  topInputMaps: Float32Array[];
  target: number;
  contrast: number | null;
  /** Δt of the explained quantity (the same t as `explain`). */
  delta: number;
  /** Σ over every unit of the layer (= delta when isCut). */
  sum: number;
}

/** "Which filters decided" on a photo model: the photo explanation's settings plus the layer. */
export interface PhotoFiltersParams extends PhotoExplainParams {
  layer: string;
  topChannels: number;
}

/** Like FiltersResult; the maps are of the model's input (height × width), summed over colour channels. */
export interface PhotoFiltersResult extends PhotoLayerScores {
  modelId: string;
}

/** The Compare tab on a photo model: every method in `methods` on the photo. */
export type PhotoCompareParams = PhotoCompareOptions;

export interface PhotoCompareResult extends PhotoComparison {
  modelId: string;
}

export interface ExplainApi extends CancellableApi {
  /** Starts the backend (once per preference; WebGPU skipped after a device loss) and begins loading the model in the background. */
  init(preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo>;
  /**
   * Explains one input: `pixels01` is Float32Array(784) in [0, 1], light on
   * dark (MNIST preprocessing done). Rejects with AbortError if `cancel(jobId)`
   * came before it started or before it returned.
   */
  explain(jobId: number, pixels01: Float32Array, params: ExplainParams): Promise<ExplainResult>;
  cancel(jobId: number): void;
  /** The classifier's convolutional layers (optional so stand-in APIs need not have it). */
  layers?(): Promise<HiddenLayerInfo[]>;
  /** Scores the channels of `params.layer` for the explained class ("Which filters decided"); same input and cancellation as `explain`. */
  filters?(jobId: number, pixels01: Float32Array, params: FiltersParams): Promise<FiltersResult>;
  /** Verifies, loads and keeps (IndexedDB) a user's model; rejects with BadModelError naming what is wrong. */
  addModel?(request: AddModelRequest): Promise<AddedModel>;
  /** Forgets a user's model (memory and IndexedDB). */
  removeModel?(id: string): Promise<void>;
  /** Explains a photo on the model `modelId` (loaded from IndexedDB on first use). Cancellable like `explain`. */
  explainPhoto?(jobId: number, modelId: string, photo: RgbaImage, params: PhotoExplainParams): Promise<PhotoExplainResult>;
  /** The conv layers of photo model `modelId` at the input size of `input`. */
  photoLayers?(modelId: string, input: InputSpec): Promise<HiddenLayerInfo[]>;
  /** Scores the channels of `params.layer` for a photo on model `modelId`; cancellable like `explain`. */
  photoFilters?(jobId: number, modelId: string, photo: RgbaImage, params: PhotoFiltersParams): Promise<PhotoFiltersResult>;
  /** Every attribution method on a photo on model `modelId` (the Compare tab); cancel(jobId) stops it between methods. */
  comparePhoto?(jobId: number, modelId: string, photo: RgbaImage, params: PhotoCompareParams): Promise<PhotoCompareResult>;
  /** tf.memory() in the worker and the model's load time (soak tests, benchmarks). */
  memory(): Promise<WorkerMemory>;
  /**
   * An uploaded picture (grayscale [0, 1], either polarity) → clean ink (engine uploadToInk: the photo clean-up
   * when the paper is not clean), off the main thread. Rejects with EmptyInputError when there is no ink.
   * Optional so stand-in APIs need not have it.
   */
  cleanUpload?(gray01: Float32Array, width: number, height: number): Promise<UploadInk>;
  /** Test-only fault injection (device-lost.ts); optional so stand-in APIs need not have it. */
  fault?(kind: WorkerFault): Promise<boolean>;
}
