/**
 * Types shared by the Explain worker (explain-api.ts) and its main-thread
 * client (explain-client.ts). Plain data only; the result's Float32Arrays
 * travel as transferables.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { ReferenceSpec } from '../engine/image/reference';
import type { UploadInk } from '../engine/image/mnist-preprocess';
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
