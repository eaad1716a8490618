/**
 * Main-thread side of Explain: signal-first calls on the interactive lane
 * (lane-client.ts: lazy worker, job ids, AbortSignal → `cancel(jobId)`, crash
 * detection, device loss). The backend starts once per worker and preference;
 * when the worker dies, the next call starts a fresh one and starts it again.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import * as Comlink from 'comlink';
import type { UploadInk } from '../engine/image/mnist-preprocess';
import type { RgbaImage } from '../engine/image/photo-preprocess';
import type { ExplainParams, ExplainResult, FiltersParams, FiltersResult, HiddenLayerInfo, PhotoExplainParams, PhotoExplainResult, PhotoFiltersParams, PhotoFiltersResult, PhotoCompareParams, PhotoCompareResult } from './explain-protocol';
import type { InputSpec } from '../engine/models/model-spec';
import type { AddedModel, AddModelRequest } from './model-registry';
import type { WorkerFaultHooks } from './device-lost';
import type { InteractiveLaneApi } from './lane-api';
import { createInteractiveLane, interactiveLane, type InteractiveLane } from './lanes';
import type { WorkerCrashedError } from './worker-handle';
import type { WorkerMemory } from './worker-stats';

/**
 * How long a cancelled job may keep the worker before it is terminated. A pass
 * cannot be interrupted and takes up to ~10 s on a software GPU (SwiftShader
 * WebGPU, measured in headless Chromium), and restarting means re-creating the
 * backend and reloading the model; so only a worker stuck far beyond that is killed.
 */
const CANCEL_GRACE_MS = 30_000;

export interface ExplainRunOptions {
  signal?: AbortSignal;
  /** The backend to run on (started first if the worker is not on it yet). */
  preference?: BackendPreference;
}

/** What the store needs from an Explain client (tests pass a stub). */
export interface ExplainClient {
  init(preference: BackendPreference): Promise<BackendInfo>;
  /** `pixels01`: Float32Array(784) in [0, 1], light on dark; copied, the caller keeps it. Rejects with AbortError on abort. */
  explain(pixels01: Float32Array, params: ExplainParams, options?: ExplainRunOptions): Promise<ExplainResult>;
  onCrash(listener: (error: WorkerCrashedError) => void): () => void;
  terminate(): void;
  /** The classifier's convolutional layers ("Which filters decided"); optional so stubs need not have it. */
  layers?(options?: ExplainRunOptions): Promise<HiddenLayerInfo[]>;
  /** Scores a hidden layer's channels for the explained class; same input rules as `explain`. Rejects with AbortError on abort. */
  filters?(pixels01: Float32Array, params: FiltersParams, options?: ExplainRunOptions): Promise<FiltersResult>;
  /** The worker's tf.memory() and model load time; null when no worker runs (does not start one). */
  memory?(): Promise<WorkerMemory | null>;
  /** Test-only fault hooks (window.__dreamlift.faults). */
  faults?: WorkerFaultHooks;
  /** Cleans an uploaded picture in the worker (see ExplainApi.cleanUpload); `gray01` is transferred (the caller loses it). */
  cleanUpload?(gray01: Float32Array, width: number, height: number): Promise<UploadInk>;
  /** After a lost device: forgets the loss and ends the worker; the next call starts one that tries WebGPU again. */
  retryGpu?(): void;
  /** Verifies, loads and keeps a user's model in the worker (model catalogue). */
  addModel?(request: AddModelRequest): Promise<AddedModel>;
  removeModel?(id: string): Promise<void>;
  /** Explains a photo (RGBA, copied) on a photo model. Rejects with AbortError on abort. */
  explainPhoto?(modelId: string, photo: RgbaImage, params: PhotoExplainParams, options?: ExplainRunOptions): Promise<PhotoExplainResult>;
  /** The conv layers of a photo model at an input size ("Which filters decided"). */
  photoLayers?(modelId: string, input: InputSpec, options?: ExplainRunOptions): Promise<HiddenLayerInfo[]>;
  /** Scores a conv layer's channels for a photo on a photo model; a new run aborts the old one as `explain` does. */
  photoFilters?(modelId: string, photo: RgbaImage, params: PhotoFiltersParams, options?: ExplainRunOptions): Promise<PhotoFiltersResult>;
  /** Every attribution method on a photo on a photo model (the Compare tab). */
  comparePhoto?(modelId: string, photo: RgbaImage, params: PhotoCompareParams, options?: ExplainRunOptions): Promise<PhotoCompareResult>;
}

/**
 * The Explain client on the interactive lane (default: the page's, shared with Compare); tests pass
 * a worker factory, which gets a lane of its own.
 */
export function createExplainClient(source: (() => Worker) | InteractiveLane = interactiveLane()): ExplainClient {
  const lane = typeof source === 'function' ? createInteractiveLane(source) : source;
  const job = <T>(call: (api: Comlink.Remote<InteractiveLaneApi>, jobId: number) => Promise<T>, options: ExplainRunOptions = {}, cancellable = true) =>
    lane.job(call, { preference: options.preference, signal: cancellable ? options.signal : undefined, graceMs: CANCEL_GRACE_MS });

  return {
    init: lane.init,
    explain: (pixels01, params, options) => job((api, jobId) => api.explain(jobId, pixels01, params), options),
    layers: (options) => job((api) => api.layers(), options, false),
    filters: (pixels01, params, options) => job((api, jobId) => api.filters(jobId, pixels01, params), options),
    addModel: (request) => job((api) => api.addModel(request)),
    removeModel: (id) => lane.call((api) => api.removeModel(id)),
    explainPhoto: (modelId, photo, params, options) => job((api, jobId) => api.explainPhoto(jobId, modelId, photo, params), options),
    photoLayers: (modelId, input, options) => job((api) => api.photoLayers(modelId, input), options, false),
    photoFilters: (modelId, photo, params, options) => job((api, jobId) => api.photoFilters(jobId, modelId, photo, params), options),
    comparePhoto: (modelId, photo, params, options) => job((api, jobId) => api.comparePhoto(jobId, modelId, photo, params), options),
    onCrash: lane.onCrash,
    terminate: lane.terminate,
    cleanUpload: (gray01, width, height) =>
      lane.call((api) => api.cleanUpload(Comlink.transfer(gray01, [gray01.buffer]), width, height)),
    memory: lane.memory,
    faults: lane.faults,
    retryGpu: lane.retryGpu,
  };
}
