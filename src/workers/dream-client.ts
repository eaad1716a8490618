/**
 * Main-thread side of Deep Dream: signal-first calls on the long lane
 * (lane-client.ts: lazy worker, job ids, cancel with a grace period, crash
 * detection, device loss); the gallery, heatmaps and films share it. Backend start and model load happen once per worker; when the
 * worker dies or is terminated, the next call starts a fresh one and redoes both.
 * Frames of other jobs are dropped (and their bitmaps closed), so a slow frame
 * of an old run can never be drawn over a new one.
 */
import * as Comlink from 'comlink';
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { DreamParams } from '../engine/dream/params';
import type { FilterHeatmap, FilterHeatmapParams } from '../engine/dream/filter-heatmap';
import type { VisualizeParams } from '../engine/visualize/params';
import type { ExcitedChannel } from '../engine/visualize/quality';
import type { DreamApi, DreamFrameMessage, DreamModelChoice, DreamModelInfo, DreamResult, GradientBenchmark, RawImage, VisualizeResult } from './dream-protocol';
import { INCEPTION_MODEL_ID, isRawImage } from './dream-protocol';
import type { WorkerFaultHooks } from './device-lost';
import { createLongLane, longLane, type LongLane } from './lanes';
import { abortError, type WorkerCrashedError } from './worker-handle';
import type { WorkerMemory } from './worker-stats';

/** A frame as the main thread receives it: always an ImageBitmap, which the receiver must close(). */
export interface DreamFrame extends Omit<DreamFrameMessage, 'image'> {
  bitmap: ImageBitmap;
}

export interface DreamRunOptions {
  signal?: AbortSignal;
  onFrame?: (frame: DreamFrame) => void;
  /** How long a cancelled run may take to stop before the worker is terminated (ms). */
  graceMs?: number;
  /** A guide image (guided dream, for the single layer of `params`); a copy is sent, the caller keeps it. */
  guide?: ImageBitmap | RawImage | null;
  /** The model to dream with (default: the built-in InceptionV3). */
  model?: DreamModelChoice;
}

/** What the store needs from a Deep Dream client (tests pass a stub). */
export interface DreamClient {
  init(preference: BackendPreference): Promise<BackendInfo>;
  /** Loads the model (default InceptionV3; a user model with `model`) once per worker; later calls share the promise. */
  loadModel(onProgress?: (fraction: number) => void, model?: DreamModelChoice): Promise<DreamModelInfo>;
  /** Runs a dream on a copy of `photo` (the caller keeps its bitmap). Rejects with AbortError on abort. */
  run(photo: ImageBitmap | RawImage, params: DreamParams, options?: DreamRunOptions): Promise<DreamResult>;
  onCrash(listener: (error: WorkerCrashedError) => void): () => void;
  terminate(): void;
  /** The worker's tf.memory() and model load time; null when no worker runs (does not start one). */
  memory?(): Promise<WorkerMemory | null>;
  /** Bare forward + gradient timings on a copy of `photo` (see DreamApi.benchmarkGradient). */
  /** Test-only fault hooks (window.__dreamlift.faults). */
  faults?: WorkerFaultHooks;
  benchmarkGradient?(photo: ImageBitmap | RawImage, params: DreamParams, runs: number, warmup: number, model?: DreamModelChoice): Promise<GradientBenchmark>;
  /** Runs another kind of job on the same worker (films share its backend and trunk); `call` gets the remote API and a job id. */
  runJob?<T>(call: (api: Comlink.Remote<DreamApi>, jobId: number) => Promise<T>): Promise<T>;
  /** After a lost device: forgets the loss and ends the worker; the next call starts one that tries WebGPU again. */
  retryGpu?(): void;
  /** The filter heatmap of a copy of `photo` (see DreamApi.filterHeatmap). Rejects with AbortError on abort. */
  filterHeatmap?(photo: ImageBitmap | RawImage, params: FilterHeatmapParams, options?: { signal?: AbortSignal; model?: DreamModelChoice }): Promise<FilterHeatmap>;
  /** A feature visualisation (gallery thumbnail) in the worker; rejects with AbortError on abort. */
  visualize?(params: VisualizeParams, options?: { signal?: AbortSignal; onProgress?: (step: number, steps: number) => void; model?: DreamModelChoice }): Promise<VisualizeResult>;
  /** "What this photo excites" on a copy of `photo` (see DreamApi.excites). */
  excites?(photo: ImageBitmap | RawImage, layer: string, top: number, model?: DreamModelChoice): Promise<ExcitedChannel[]>;
}

function closeImage(image: ImageBitmap | RawImage): void {
  if (!isRawImage(image)) image.close();
}

/** A copy of `image` the worker may take (the caller keeps its own), marked for transfer. */
async function transferableCopy(image: ImageBitmap | RawImage): Promise<ImageBitmap | RawImage> {
  const copy: ImageBitmap | RawImage = isRawImage(image)
    ? { width: image.width, height: image.height, pixels: new Uint8ClampedArray(image.pixels) }
    : await createImageBitmap(image);
  return Comlink.transfer(copy, isRawImage(copy) ? [copy.pixels.buffer] : [copy]);
}

/** Raw RGBA (only where the worker could not make bitmaps) → ImageBitmap; decoding happens off the main thread. */
function toBitmap(image: ImageBitmap | RawImage): Promise<ImageBitmap> {
  return isRawImage(image) ? createImageBitmap(new ImageData(image.pixels, image.width, image.height)) : Promise.resolve(image);
}

/** The Dream client on the long lane (default: the page's); tests pass a worker factory, which gets a lane of its own. */
export function createDreamClient(source: (() => Worker) | LongLane = longLane()): DreamClient {
  const lane = typeof source === 'function' ? createLongLane(source) : source;
  let modelPromise: Promise<DreamModelInfo> | null = null;
  const progressListeners = new Set<(fraction: number) => void>();
  /** The user model this worker was last asked to load (the worker keeps one). */
  let userModel: { key: string; promise: Promise<DreamModelInfo> } | null = null;
  // The models live in the worker: a new worker (crash, terminate, lost device, new backend) loads them again.
  lane.onReset(() => {
    modelPromise = null;
    userModel = null;
  });

  /** Rejects when the worker crashes, so callers never wait forever on a dead worker; a lost device ends the worker. */
  const guarded = <T>(call: (api: Comlink.Remote<DreamApi>) => Promise<T>): Promise<T> => lane.call((api) => call(api));

  return {
    // A worker keeps its backend (and the model's weights on it): a new preference gets a fresh worker.
    init: lane.init,

    loadModel(onProgress, model) {
      if (model && model.id !== INCEPTION_MODEL_ID) {
        // Restored from IndexedDB, no download to follow: progress is not reported.
        const key = `${model.id}|${model.scaling}`;
        if (userModel?.key !== key) {
          const promise = guarded((api) => api.loadModel(undefined, model));
          userModel = { key, promise };
          promise.catch(() => {
            if (userModel?.promise === promise) userModel = null;
          });
        }
        return userModel.promise;
      }
      if (onProgress) progressListeners.add(onProgress);
      if (!modelPromise) {
        const promise = guarded((api) =>
          api.loadModel(Comlink.proxy((fraction: number) => progressListeners.forEach((listener) => listener(fraction)))),
        );
        modelPromise = promise;
        promise.then(
          () => progressListeners.clear(),
          () => {
            progressListeners.clear();
            if (modelPromise === promise) modelPromise = null;
          },
        );
      }
      return modelPromise;
    },

    async run(photo, params, options = {}) {
      const { signal, onFrame, graceMs } = options;
      // The worker takes ownership of what it is sent; send a copy so the caller keeps its photo.
      const copy: ImageBitmap | RawImage = isRawImage(photo)
        ? { width: photo.width, height: photo.height, pixels: new Uint8ClampedArray(photo.pixels) }
        : await createImageBitmap(photo);
      const guide = options.guide ? await transferableCopy(options.guide) : undefined;
      if (signal?.aborted) {
        closeImage(copy);
        if (guide) closeImage(guide);
        throw abortError();
      }
      const transfer = isRawImage(copy) ? [copy.pixels.buffer] : [copy];
      return lane.call(
        (api, jobId) => {
          const receive = async (message: DreamFrameMessage) => {
            if (message.jobId !== jobId || signal?.aborted) {
              closeImage(message.image);
              return;
            }
            const { image, ...rest } = message;
            const bitmap = await toBitmap(image);
            if (onFrame) onFrame({ ...rest, bitmap });
            else bitmap.close();
          };
          return api.dream(jobId, Comlink.transfer(copy, transfer), params, Comlink.proxy(receive), guide, options.model);
        },
        { signal, graceMs },
      );
    },

    onCrash: lane.onCrash,
    terminate: lane.terminate,
    faults: lane.faults,
    runJob: (call) => lane.call(call),
    retryGpu: lane.retryGpu,
    memory: lane.memory,

    visualize(params, options = {}) {
      const { signal, onProgress, model } = options;
      return lane.call<VisualizeResult>(
        (api, jobId) => {
          // Optional in DreamApi (for stand-ins); the real worker always has it.
          const remote = api as unknown as Comlink.Remote<Required<Pick<DreamApi, 'visualize'>>>;
          return remote.visualize(jobId, params, onProgress ? Comlink.proxy(onProgress) : undefined, model);
        },
        { signal },
      );
    },

    async excites(photo, layer, top, model) {
      const copy: ImageBitmap | RawImage = isRawImage(photo)
        ? { width: photo.width, height: photo.height, pixels: new Uint8ClampedArray(photo.pixels) }
        : await createImageBitmap(photo);
      const transfer = isRawImage(copy) ? [copy.pixels.buffer] : [copy];
      return guarded((api) => {
        const remote = api as unknown as Comlink.Remote<Required<Pick<DreamApi, 'excites'>>>;
        return remote.excites(Comlink.transfer(copy, transfer), layer, top, model);
      });
    },

    async benchmarkGradient(photo, params, runs, warmup, model) {
      const copy: ImageBitmap | RawImage = isRawImage(photo)
        ? { width: photo.width, height: photo.height, pixels: new Uint8ClampedArray(photo.pixels) }
        : await createImageBitmap(photo);
      const transfer = isRawImage(copy) ? [copy.pixels.buffer] : [copy];
      return lane.call((api) => api.benchmarkGradient(Comlink.transfer(copy, transfer), params, runs, warmup, model));
    },

    async filterHeatmap(photo, params, options = {}) {
      const copy: ImageBitmap | RawImage = isRawImage(photo)
        ? { width: photo.width, height: photo.height, pixels: new Uint8ClampedArray(photo.pixels) }
        : await createImageBitmap(photo);
      if (options.signal?.aborted) {
        closeImage(copy);
        throw abortError();
      }
      const transfer = isRawImage(copy) ? [copy.pixels.buffer] : [copy];
      return lane.call(
        (api, jobId) => (api as unknown as Required<Pick<DreamApi, 'filterHeatmap'>>).filterHeatmap(jobId, Comlink.transfer(copy, transfer), params, options.model),
        { signal: options.signal, graceMs: 60_000 },
      );
    },
  };
}
