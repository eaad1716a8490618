/**
 * Types shared by the Compare module of the interactive lane (compare-api.ts)
 * and its main-thread client (compare-client.ts): every attribution method on one digit
 * (Compare view), and the erasure curves of the Erase-to-convert view.
 * Plain data only; typed arrays travel as transferables.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { MethodName } from '../engine/attribution/method-names';
import type { ReferenceSpec } from '../engine/image/reference';
import type { BackendStartOptions } from './device-lost';
import type { CancellableApi } from './worker-handle';

export interface CompareParams {
  /** null: the predicted class. */
  target: number | null;
  contrast: number | null;
  reference: ReferenceSpec;
  /** Integrated gradients' Riemann steps. */
  steps: number;
  /** DeepLIFT-SHAP: noised copies of the reference. */
  references: number;
  methods: MethodName[];
}

export interface CompareMap {
  method: MethodName;
  /** Scores of the 784 pixels, row-major. */
  attributions: Float32Array;
  sum: number;
  /** Δt; null for methods without a reference (gradient, guided backprop). */
  delta: number | null;
  completenessError: number | null;
  /** DeepLIFT-SHAP: std of Σ over references. */
  sumStd: number | null;
  ms: number;
}

export interface CompareResult {
  target: number;
  contrast: number | null;
  predicted: number;
  maps: CompareMap[];
}

export interface EraseParams {
  original: number;
  target: number;
  steps: number;
  references: number;
  methods: MethodName[];
}

export interface EraseCurveData {
  method: MethodName;
  /** Pixels to erase, best first (≤ 157). */
  order: Int32Array;
  /** Change in log-odds (before − after) for 0 … 157 pixels erased. */
  change: Float32Array;
  ms: number;
}

export interface EraseResult {
  original: number;
  target: number;
  /** t_original − t_target of the unerased digit. */
  logOddsBefore: number;
  curves: EraseCurveData[];
}

/** The Compare feature module of the interactive lane (its lane adds memory() and fault()). */
export interface CompareApi extends CancellableApi {
  /** Starts the lane's backend, as ExplainApi.init (the lane exposes one of the two). */
  init(preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo>;
  /** `pixels01`: Float32Array(784) in [0, 1], light on dark. */
  compare(jobId: number, pixels01: Float32Array, params: CompareParams): Promise<CompareResult>;
  /** Erases to black, as in the paper. */
  erase(jobId: number, pixels01: Float32Array, params: EraseParams): Promise<EraseResult>;
  cancel(jobId: number): void;
}
