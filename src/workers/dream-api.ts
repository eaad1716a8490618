/**
 * The object the Deep Dream worker exposes (dream.worker.ts only adds
 * `expose`). It starts a backend and loads the trunk once, lazily, behind
 * cached promises; turns the photo into a tensor; runs the engine's
 * `deepDream` generator; and streams each frame back as a transferable
 * (an ImageBitmap where the platform can make one, else the RGBA buffer).
 * Cancellation: `cancel(jobId)` aborts that job's AbortSignal, which the engine
 * checks between steps; its awaited readbacks let the message arrive.
 *
 * The environment (how to start a backend, where the model comes from) is
 * injected so tests call this object directly in Node with a stand-in model.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import type { BackendInfo, BackendPreference } from '../engine/backend';
import { deepDream, makeGradientFn, validateDreamParams, type DreamParams } from '../engine/dream/dream';
import { filterHeatmap, releaseFilterHeatmaps } from '../engine/dream/filter-heatmap';
import { guideFeatures } from '../engine/dream/guide';
import { ModelLoadError, type DreamModel } from '../engine/models/dream-model';
import { userDreamModel, type UserDreamModel } from '../engine/models/user-dream-model';
import { rgbaToTensor } from '../engine/film/film';
import { excitedChannels, usualActivation } from '../engine/visualize/quality';
import { BadVisualizeParamsError, visualizeToImage } from '../engine/visualize/visualize';
import type { DreamApi, DreamFrameMessage, DreamModelChoice, DreamModelInfo, DreamPhoto, DreamResult, GradientBenchmark, RawImage, VisualizeResult } from './dream-protocol';
import { INCEPTION_MODEL_ID, isRawImage } from './dream-protocol';
import { indexedDbKey } from './model-registry';
import type { BackendStartOptions } from './device-lost';
import { browserDeviceWatch, injectFault, withDevice, type DeviceWatch } from './worker-faults';
import { abortError } from './worker-handle';
import { timedLoad, workerMemory } from './worker-stats';
import { builtInModelFetch } from './model-fetch';

export interface DreamApiEnvironment {
  /** Starts (or returns the already started) backend for `preference`. */
  startBackend(preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo>;
  /** Tells of GPU device loss (absent: nothing to lose, e.g. in Node). */
  device?: DeviceWatch;
  /** Loads the trunk; called at most once unless it fails. `onProgress` gets 0..1. */
  loadModel(onProgress?: (fraction: number) => void): Promise<DreamModel>;
  /** The photos whose activations count as usual ("what this photo excites"); absent: that feature is off. */
  usualPhotos?(): Promise<RawImage[]>;
  /**
   * Restores the user model `id` of the catalogue (the Explain worker keeps it in IndexedDB under
   * indexedDbKey(id)); the caller takes ownership. Absent: Dream has only the built-in trunk.
   */
  loadUserModel?(id: string): Promise<tf.LayersModel>;
}

/** The user model a Dream worker holds: one at a time, disposed when no job uses it any more after another was chosen. */
interface UserEntry {
  key: string;
  model: Promise<UserDreamModel>;
  /** Jobs using it now. */
  busy: number;
  isRetired: boolean;
}

/** A model lent to one request; `release()` when done. */
interface Lease {
  model: DreamModel;
  /** Names the model in caches ('inception' or the user entry's key). */
  key: string;
  release(): void;
}

const isUserChoice = (choice: DreamModelChoice | undefined): choice is DreamModelChoice => !!choice && choice.id !== INCEPTION_MODEL_ID;

/** The layers with their channel counts, for the layer picker. */
function modelInfo(m: DreamModel): DreamModelInfo {
  const user = (m as Partial<UserDreamModel>).layers;
  const layers = user
    ? [...user]
    : m.layerNames.map((name) => ({ name, label: name, channels: (m.trunk.getLayer(name).outputShape as number[])[3] ?? 0, kind: 'block' as const }));
  return { layerNames: [...m.layerNames], layers, minSide: m.minSide };
}

/** Side (px) of the photo views the usual activations are measured on. */
const USUAL_SIDE = 128;

export class BadPhotoError extends Error {
  override name = 'BadPhotoError';
}

/** Reads an ImageBitmap's RGBA pixels (OffscreenCanvas); closes the bitmap. */
export function bitmapToRaw(bitmap: ImageBitmap): RawImage {
  const { width, height } = bitmap;
  try {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new BadPhotoError('this browser cannot read the photo in a worker (no 2D OffscreenCanvas)');
    ctx.drawImage(bitmap, 0, 0);
    return { width, height, pixels: ctx.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}

/** [h, w, 3] float32 in 0..255 from RGBA (alpha dropped). The caller owns the tensor. */
export function rawToTensor(raw: RawImage): tf.Tensor3D {
  const { width, height, pixels } = raw;
  if (!(width > 0 && height > 0) || pixels.length !== width * height * 4) {
    throw new BadPhotoError(`photo buffer of ${pixels.length} bytes does not match ${width}×${height} RGBA`);
  }
  return rgbaToTensor(pixels, width, height);
}

const canMakeBitmaps = (): boolean => typeof createImageBitmap === 'function' && typeof ImageData !== 'undefined';

/** Wraps a frame's RGBA in something transferable: an ImageBitmap when possible, else its own buffer. */
async function toTransferable(pixels: Uint8ClampedArray, width: number, height: number): Promise<ImageBitmap | RawImage> {
  // A fresh, exactly-sized buffer: the engine's array may be a view, and we transfer (detach) it.
  const own = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength && pixels.buffer instanceof ArrayBuffer
    ? (pixels as Uint8ClampedArray<ArrayBuffer>)
    : new Uint8ClampedArray(pixels);
  if (canMakeBitmaps()) return createImageBitmap(new ImageData(own, width, height));
  return { width, height, pixels: own };
}

/** Makes the exposed Deep Dream API over an environment. */
export function createDreamApi(env: DreamApiEnvironment): DreamApi {
  let modelPromise: Promise<DreamModel> | null = null;
  let modelLoadMs: number | null = null;
  const jobs = new Map<number, AbortController>();
  /** Usual activation per model and layer (`${lease key}|${layer}`), computed once. */
  const usual = new Map<string, Promise<Float32Array>>();
  let user: UserEntry | null = null;

  const disposeUser = (entry: UserEntry) => {
    for (const k of [...usual.keys()]) if (k.startsWith(`${entry.key}|`)) usual.delete(k);
    void entry.model.then((m) => {
      releaseFilterHeatmaps(m);
      m.dispose();
    }, () => undefined);
  };

  /** The model of `choice` for one request (the trunk by default); the caller must `release()` it. */
  const lease = async (choice?: DreamModelChoice, onProgress?: (fraction: number) => void): Promise<Lease> => {
    if (!isUserChoice(choice)) return { model: await model(onProgress), key: INCEPTION_MODEL_ID, release: () => undefined };
    const key = `${choice.id}|${choice.scaling}|${tf.getBackend()}`;
    if (user?.key !== key) {
      const old = user;
      if (old) {
        old.isRetired = true;
        if (old.busy === 0) disposeUser(old);
      }
      const load = env.loadUserModel;
      if (!load) throw new ModelLoadError('this Deep Dream worker has only the built-in model');
      const entry: UserEntry = {
        key,
        busy: 0,
        isRetired: false,
        model: load(choice.id).then(
          (m) => userDreamModel(m, choice.scaling),
          (e: unknown) => {
            throw new ModelLoadError(`the saved model could not be read from this browser's storage (${e instanceof Error ? e.message : String(e)}); load it again in Explain`);
          },
        ),
      };
      entry.model.catch(() => {
        if (user === entry) user = null;
      });
      user = entry;
    }
    const entry = user;
    entry.busy++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.busy--;
      if (entry.isRetired && entry.busy === 0) disposeUser(entry);
    };
    try {
      return { model: await entry.model, key, release };
    } catch (e) {
      release();
      throw e;
    }
  };
  /** Progress listeners of whoever is waiting for the (single, shared) model download. */
  const progressListeners = new Set<(fraction: number) => void>();

  const model = (onProgress?: (fraction: number) => void): Promise<DreamModel> => {
    if (onProgress) progressListeners.add(onProgress);
    if (!modelPromise) {
      modelPromise = timedLoad(
        () =>
          env.loadModel((fraction) => {
            for (const listener of progressListeners) void Promise.resolve(listener(fraction)).catch(() => undefined);
          }),
        (ms) => {
          modelLoadMs = ms;
        },
      );
      modelPromise.then(
        () => progressListeners.clear(),
        () => {
          progressListeners.clear();
          modelPromise = null;
        },
      );
    }
    return modelPromise;
  };

  const api: DreamApi = {
    init: (preference, options) => env.startBackend(preference, options),

    async loadModel(onProgress, choice): Promise<DreamModelInfo> {
      const l = await lease(choice, onProgress);
      try {
        return modelInfo(l.model);
      } finally {
        l.release();
      }
    },

    async dream(jobId, photo: DreamPhoto, params: DreamParams, onFrame, guide?: DreamPhoto, choice?: DreamModelChoice): Promise<DreamResult> {
      // Registered before any await, so a cancel that follows this call always finds it.
      const controller = new AbortController();
      jobs.set(jobId, controller);
      let image: tf.Tensor3D | null = null;
      let features: tf.Tensor2D | null = null;
      let leased: Lease | null = null;
      try {
        const raw = isRawImage(photo) ? photo : bitmapToRaw(photo);
        const guideRaw = guide ? (isRawImage(guide) ? guide : bitmapToRaw(guide)) : null;
        leased = await lease(choice);
        const m = leased.model;
        image = rawToTensor(raw);
        let run = params;
        if (guideRaw) {
          validateDreamParams(m, params);
          const layer = params.layers[0]?.name ?? '';
          const guideImage = rawToTensor(guideRaw);
          try {
            features = guideFeatures(m, layer, guideImage);
          } finally {
            guideImage.dispose();
          }
          run = { ...params, guide: { layer, features } };
        }
        const started = performance.now();
        let frames = 0;
        let last: DreamFrameMessage | null = null;
        for await (const frame of deepDream(m, image, run, controller.signal)) {
          // A lost device yields garbage or hangs; stop at the first frame after the loss.
          if (env.device?.lostReason()) break;
          const transferable = await toTransferable(frame.pixels, frame.width, frame.height);
          const message: DreamFrameMessage = {
            jobId,
            octave: frame.octave,
            octaves: frame.octaves,
            step: frame.step,
            steps: frame.steps,
            width: frame.width,
            height: frame.height,
            objective: frame.objective,
            elapsedMs: performance.now() - started,
            image: transferable,
          };
          frames++;
          last = message;
          const transfer = isRawImage(transferable) ? [transferable.pixels.buffer] : [transferable];
          // Awaited: the next step waits until the main thread has the frame (back-pressure).
          await Promise.resolve(onFrame(Comlink.transfer(message, transfer))).catch(() => undefined);
        }
        return {
          jobId,
          width: last?.width ?? raw.width,
          height: last?.height ?? raw.height,
          frames,
          elapsedMs: performance.now() - started,
          objective: last?.objective ?? 0,
        };
      } finally {
        image?.dispose();
        features?.dispose();
        leased?.release();
        jobs.delete(jobId);
      }
    },

    async visualize(jobId, params, onProgress, choice): Promise<VisualizeResult> {
      const controller = new AbortController();
      jobs.set(jobId, controller);
      let leased: Lease | null = null;
      try {
        leased = await lease(choice);
        const m = leased.model;
        // A side the model cannot run at: refused here (some backends corrupt their memory on an empty convolution).
        if (params.size < m.minSide) throw new BadVisualizeParamsError(`the picture must be at least ${m.minSide} px for this model (got ${params.size})`);
        const started = performance.now();
        const every = Math.max(1, Math.round(params.steps / 8));
        const result = await visualizeToImage(m.forLayers([params.layer]), m.input, params, {
          signal: controller.signal,
          onProgress: (f) => {
            if (onProgress && (f.step % every === 0 || f.step === f.steps)) void Promise.resolve(onProgress(f.step, f.steps)).catch(() => undefined);
          },
        });
        const pixels = new Uint8ClampedArray(result.pixels);
        const message: VisualizeResult = { jobId, width: result.width, height: result.height, pixels, objective: result.objective, elapsedMs: performance.now() - started };
        return Comlink.transfer(message, [pixels.buffer]);
      } finally {
        leased?.release();
        jobs.delete(jobId);
      }
    },

    async excites(photo, layer, top, choice) {
      const raw = isRawImage(photo) ? photo : bitmapToRaw(photo);
      const leased = await lease(choice);
      const m = leased.model;
      const usualKey = `${leased.key}|${layer}`;
      let x: tf.Tensor4D | null = null;
      try {
        if (Math.min(raw.width, raw.height) < m.minSide) throw new BadPhotoError(`the photo must be at least ${m.minSide}×${m.minSide} pixels for this model (got ${raw.width}×${raw.height})`);
        const layerModel = m.forLayers([layer]);
        const toInput = (r: RawImage): tf.Tensor3D => tf.tidy(() => tf.add(tf.mul(rawToTensor(r), m.input.scale), m.input.offset) as tf.Tensor3D);
        let typical = usual.get(usualKey);
        if (!typical) {
          const photos = env.usualPhotos;
          if (!photos) throw new Error('no sample photos to compare with');
          // A user model's usual activations come from the same sample photos, at its own scaling (toInput).
          typical = photos().then(async (list) => {
            const tensors = list.map(toInput);
            try {
              return await usualActivation(layerModel, tensors, Math.max(USUAL_SIDE, m.minSide));
            } finally {
              tf.dispose(tensors);
            }
          });
          usual.set(usualKey, typical);
          typical.catch(() => usual.delete(usualKey));
        }
        const u = await typical;
        x = tf.tidy(() => tf.expandDims(toInput(raw), 0) as tf.Tensor4D);
        return await excitedChannels(layerModel, x, u, top);
      } finally {
        x?.dispose();
        leased.release();
      }
    },

    cancel(jobId) {
      jobs.get(jobId)?.abort();
    },

    async fault(kind) {
      return injectFault(kind);
    },

    async memory() {
      return workerMemory(modelLoadMs);
    },

    async benchmarkGradient(photo, params, runs, warmup, choice): Promise<GradientBenchmark> {
      const raw = isRawImage(photo) ? photo : bitmapToRaw(photo);
      const leased = await lease(choice);
      const m = leased.model;
      const gradient = makeGradientFn(m, params);
      const input = tf.tidy(() => {
        const pixels255 = rawToTensor(raw);
        return tf.add(tf.mul(pixels255, m.input.scale), m.input.offset).expandDims(0) as tf.Tensor4D;
      });
      const passMs: number[] = [];
      try {
        for (let i = 0; i < warmup + runs; i++) {
          const t0 = performance.now();
          const { value, grad } = gradient(input);
          try {
            // Reading both back waits for the whole pass on asynchronous backends too.
            await Promise.all([value.data(), grad.data()]);
          } finally {
            tf.dispose([value, grad]);
          }
          if (i >= warmup) passMs.push(performance.now() - t0);
        }
      } finally {
        input.dispose();
        leased.release();
      }
      return { width: raw.width, height: raw.height, passMs };
    },
  };
  api.filterHeatmap = async (jobId, photo, params, choice) => {
    const controller = new AbortController();
    jobs.set(jobId, controller);
    let image: tf.Tensor3D | null = null;
    let leased: Lease | null = null;
    try {
      const raw = isRawImage(photo) ? photo : bitmapToRaw(photo);
      leased = await lease(choice);
      const m = leased.model;
      if (controller.signal.aborted) throw abortError(`Heatmap job ${jobId} was cancelled`);
      image = rawToTensor(raw);
      const heatmap = await filterHeatmap(m, image, params);
      if (controller.signal.aborted) throw abortError(`Heatmap job ${jobId} was cancelled`);
      return Comlink.transfer(heatmap, [heatmap.map.buffer]);
    } finally {
      image?.dispose();
      leased?.release();
      jobs.delete(jobId);
    }
  };
  // Requests that overlap a lost GPU device fail as DeviceLostError, whatever they computed.
  const dreamOnDevice = api.dream;
  const loadOnDevice = api.loadModel;
  api.dream = (jobId, photo, params, onFrame, guide, choice) => withDevice(env.device, () => dreamOnDevice(jobId, photo, params, onFrame, guide, choice));
  api.loadModel = (onProgress, choice) => withDevice(env.device, () => loadOnDevice(onProgress, choice));
  const heatmapOnDevice = api.filterHeatmap;
  api.filterHeatmap = (jobId, photo, params, choice) => withDevice(env.device, () => heatmapOnDevice(jobId, photo, params, choice));
  return api;
}

/** The worker's environment: the shared runtime (backends, WASM paths) and the shipped trunk. */
export const browserDreamEnvironment: DreamApiEnvironment = {
  async startBackend(preference, options) {
    const runtime = await import('./runtime');
    return runtime.startBackend(preference, options);
  },
  device: browserDeviceWatch,
  async loadModel(onProgress) {
    const { loadDreamModel } = await import('../engine/models/dream-model');
    const url = new URL(`${import.meta.env.BASE_URL}models/inception-mixed5/model.json`, self.location.href).href;
    // Every shard checked against its SHA-256 before use (model-fetch.ts).
    return loadDreamModel(tf.io.http(url, { fetchFunc: builtInModelFetch(), onProgress }));
  },
  async loadUserModel(id) {
    return tf.loadLayersModel(indexedDbKey(id));
  },
  async usualPhotos() {
    const names = ['astronaut.png', 'chelsea.png', 'rocket.jpg'];
    return Promise.all(names.map(async (name) => {
      const response = await fetch(new URL(`${import.meta.env.BASE_URL}samples/${name}`, self.location.href).href);
      if (!response.ok) throw new Error(`cannot fetch the sample photo ${name} (${response.status})`);
      return bitmapToRaw(await createImageBitmap(await response.blob()));
    }));
  },
};
