/**
 * Main-thread side of the Explain worker: signal-first calls over a
 * WorkerHandle (lazy worker, job ids, AbortSignal → `cancel(jobId)`, crash
 * detection). The backend starts once per worker and preference; when the
 * worker dies, the next call starts a fresh one and starts it again.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import * as Comlink from 'comlink';
import type { UploadInk } from '../engine/image/mnist-preprocess';
import type { RgbaImage } from '../engine/image/photo-preprocess';
import type { ExplainApi, ExplainParams, ExplainResult, FiltersParams, FiltersResult, HiddenLayerInfo, PhotoExplainParams, PhotoExplainResult, PhotoFiltersParams, PhotoFiltersResult, PhotoCompareParams, PhotoCompareResult } from './explain-protocol';
import type { InputSpec } from '../engine/models/model-spec';
import type { AddedModel, AddModelRequest } from './model-registry';
import { isDeviceLostError, type WorkerFaultHooks } from './device-lost';
import { faultHooks } from './fault-hooks';
import { WorkerHandle, type WorkerCrashedError } from './worker-handle';
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

/** The real worker has the optional model methods (stand-in APIs in tests may lack them). */
const full = (api: Comlink.Remote<ExplainApi>) => api as unknown as Comlink.Remote<Required<ExplainApi>>;

export function createExplainClient(
  createWorker: () => Worker = () => new Worker(new URL('./explain.worker.ts', import.meta.url), { type: 'module', name: 'explain' }),
): ExplainClient {
  const handle = new WorkerHandle<ExplainApi>(createWorker, 'explain');
  let initFor: { preference: BackendPreference; promise: Promise<BackendInfo> } | null = null;
  /** Why the GPU device was lost in an earlier worker; later workers skip WebGPU (until the page reloads). */
  let gpuLost: string | null = null;
  handle.onCrash(() => {
    initFor = null;
  });

  /** A lost device leaves the worker's backend useless: end the worker; the next call starts one on the next backend. */
  const afterFailure = (error: unknown): never => {
    if (isDeviceLostError(error)) {
      gpuLost = error instanceof Error ? error.message : String(error);
      // Other jobs on this worker overlapped the lost device too: they fail the same way (and are rerun).
      handle.terminate(error instanceof Error ? error : undefined);
      initFor = null;
    }
    throw error;
  };

  const init = (preference: BackendPreference): Promise<BackendInfo> => {
    // A worker terminated after an ignored cancel comes back fresh: start its backend again.
    if (!handle.isStarted) initFor = null;
    if (!initFor || initFor.preference !== preference) {
      const promise = handle.run((api) => api.init(preference, { gpuLost }));
      initFor = { preference, promise };
      promise.catch(() => {
        if (initFor?.promise === promise) initFor = null;
      });
    }
    return initFor.promise;
  };

  return {
    init,
    explain(pixels01, params, options = {}) {
      const { signal, preference } = options;
      return handle.run(
        async (api, jobId) => {
          await init(preference ?? initFor?.preference ?? 'auto');
          return api.explain(jobId, pixels01, params);
        },
        { signal, graceMs: CANCEL_GRACE_MS },
      ).catch(afterFailure);
    },
    layers(options = {}) {
      return handle.run(async (api) => {
        await init(options.preference ?? initFor?.preference ?? 'auto');
        return (api as unknown as Required<Pick<ExplainApi, 'layers'>>).layers();
      }).catch(afterFailure);
    },
    filters(pixels01, params, options = {}) {
      const { signal, preference } = options;
      return handle.run(
        async (api, jobId) => {
          await init(preference ?? initFor?.preference ?? 'auto');
          return (api as unknown as Required<Pick<ExplainApi, 'filters'>>).filters(jobId, pixels01, params);
        },
        { signal, graceMs: CANCEL_GRACE_MS },
      ).catch(afterFailure);
    },
    addModel(request) {
      return handle.run(async (api) => {
        await init(initFor?.preference ?? 'auto');
        return full(api).addModel(request);
      }).catch(afterFailure);
    },
    removeModel(id) {
      return handle.run((api) => full(api).removeModel(id)).catch(afterFailure);
    },
    explainPhoto(modelId, photo, params, options = {}) {
      const { signal, preference } = options;
      return handle.run(
        async (api, jobId) => {
          await init(preference ?? initFor?.preference ?? 'auto');
          return full(api).explainPhoto(jobId, modelId, photo, params);
        },
        { signal, graceMs: CANCEL_GRACE_MS },
      ).catch(afterFailure);
    },
    photoLayers(modelId, input, options = {}) {
      return handle.run(async (api) => {
        await init(options.preference ?? initFor?.preference ?? 'auto');
        return full(api).photoLayers(modelId, input);
      }).catch(afterFailure);
    },
    photoFilters(modelId, photo, params, options = {}) {
      const { signal, preference } = options;
      return handle.run(
        async (api, jobId) => {
          await init(preference ?? initFor?.preference ?? 'auto');
          return full(api).photoFilters(jobId, modelId, photo, params);
        },
        { signal, graceMs: CANCEL_GRACE_MS },
      ).catch(afterFailure);
    },
    comparePhoto(modelId, photo, params, options = {}) {
      const { signal, preference } = options;
      return handle.run(
        async (api, jobId) => {
          await init(preference ?? initFor?.preference ?? 'auto');
          return full(api).comparePhoto(jobId, modelId, photo, params);
        },
        { signal, graceMs: CANCEL_GRACE_MS },
      ).catch(afterFailure);
    },
    onCrash: (listener) => handle.onCrash(listener),
    terminate: () => {
      handle.terminate();
      initFor = null;
    },
    cleanUpload: (gray01, width, height) =>
      handle.run((api) => {
        // Optional in the API type (stand-ins may lack it); the real worker always has it.
        const clean = api.cleanUpload as unknown as (g: Float32Array, w: number, h: number) => Promise<UploadInk>;
        return clean(Comlink.transfer(gray01, [gray01.buffer]), width, height);
      }),
    memory: () => (handle.isStarted ? handle.run((api) => api.memory()) : Promise.resolve(null)),
    faults: faultHooks(handle, 'explain'),
    retryGpu: () => {
      gpuLost = null;
      handle.terminate();
      initFor = null;
    },
  };
}
