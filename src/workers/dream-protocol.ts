/**
 * Types shared by the Deep Dream worker (dream-api.ts) and its main-thread
 * client (dream-client.ts). Plain data only; pixels travel as transferables
 * (an ImageBitmap in browsers, an RGBA buffer where there is no
 * createImageBitmap, e.g. Node tests).
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { DreamParams } from '../engine/dream/params';
import type { FilterHeatmap, FilterHeatmapParams } from '../engine/dream/filter-heatmap';
import type { VisualizeParams } from '../engine/visualize/params';
import type { ExcitedChannel } from '../engine/visualize/quality';
import type { PixelScaling } from '../engine/models/model-spec';
import type { DreamLayer } from '../engine/models/user-dream-model';
import type { BackendStartOptions, WorkerFault } from './device-lost';
import type { CancellableApi } from './worker-handle';
import type { WorkerMemory } from './worker-stats';

/** An RGBA image as a plain buffer: pixels.length === width·height·4, values 0..255. */
export interface RawImage {
  width: number;
  height: number;
  pixels: Uint8ClampedArray<ArrayBuffer>;
}

/** A photo handed to the worker: an ImageBitmap (transferred, the worker closes it) or raw RGBA. */
export type DreamPhoto = ImageBitmap | RawImage;

/** One intermediate (or the final) image of a run, tagged with its job. */
export interface DreamFrameMessage {
  /** The job that made this frame; the client drops frames of other jobs. */
  jobId: number;
  /** Octave index 0 … octaves−1 (smallest first). */
  octave: number;
  octaves: number;
  /** Steps done in this octave, 1 … steps. */
  step: number;
  steps: number;
  /** Size of this frame (the octave's size; the last frame is at the photo's size). */
  width: number;
  height: number;
  /** The objective's value at this step (mean or L2 of the chosen activations). */
  objective: number;
  /** Worker time since the run's first step began (ms), for time-left estimates. */
  elapsedMs: number;
  /** The pixels: an ImageBitmap (transferred; the receiver closes it) or raw RGBA where bitmaps are unavailable. */
  image: ImageBitmap | RawImage;
}

/** What a completed run returns (its final image came as the last frame). */
export interface DreamResult {
  jobId: number;
  width: number;
  height: number;
  frames: number;
  elapsedMs: number;
  objective: number;
}

/** Timings of bare forward + gradient passes (benchmark baseline of a dream step). */
export interface GradientBenchmark {
  /** Size of the image the passes ran on (the photo's). */
  width: number;
  height: number;
  /** Wall time (ms) of each pass, objective read back, in order (warm-up passes excluded). */
  passMs: number[];
}

/** A finished feature visualisation (a gallery thumbnail): its RGBA pixels, transferred. */
export interface VisualizeResult extends RawImage {
  jobId: number;
  /** The objective's value at the last step. */
  objective: number;
  elapsedMs: number;
}

/** Id of the built-in InceptionV3 trunk among Dream's models. */
export const INCEPTION_MODEL_ID = 'inception';

/**
 * Which model a Dream request runs on: absent (or id INCEPTION_MODEL_ID) the
 * built-in trunk, else a user model of the catalogue, kept in IndexedDB under
 * indexedDbKey(id), with the pixel scaling its spec says.
 */
export interface DreamModelChoice {
  id: string;
  scaling: PixelScaling;
}

/** One layer Dream can target, with its channel count, as the layer picker lists it. */
export type DreamLayerInfo = DreamLayer;

export interface DreamModelInfo {
  layerNames: string[];
  /** The layers with their channel counts (every model; optional so stand-in APIs need not give them). */
  layers?: DreamLayerInfo[];
  /** Smallest photo side (px) the model can dream on. */
  minSide?: number;
}

/** The object the Deep Dream worker exposes with Comlink. */
export interface DreamApi extends CancellableApi {
  /** Starts the preferred tfjs backend (once per preference; WebGPU skipped after a device loss) and says which one runs. */
  init(preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo>;
  /**
   * Loads the InceptionV3 trunk once (cached); `onProgress` gets 0..1 while weights download.
   * With `model`, the user model instead (restored from IndexedDB and made dreamable once per
   * id, scaling and backend; the previous user model is disposed).
   */
  loadModel(onProgress?: (fraction: number) => void, model?: DreamModelChoice): Promise<DreamModelInfo>;
  /**
   * Runs Deep Dream on `photo` (with the model `model`, default InceptionV3; every method below takes it too), calling `onFrame` with each frame (the last is
   * the final image at the photo's size). Rejects with name 'AbortError' after
   * `cancel(jobId)`, which takes effect between steps. With `guide` (an image,
   * transferred like the photo), a guided dream of the single layer of
   * `params`: the guide's features there are taken once, before the first step.
   */
  dream(jobId: number, photo: DreamPhoto, params: DreamParams, onFrame: (frame: DreamFrameMessage) => void | Promise<void>, guide?: DreamPhoto, model?: DreamModelChoice): Promise<DreamResult>;
  /** Asks job `jobId` to stop at its next step; harmless for unknown or finished jobs. */
  cancel(jobId: number): void;
  /** tf.memory() in the worker and the model's load time (soak tests, benchmarks). */
  memory(): Promise<WorkerMemory>;
  /**
   * Feature visualisation of one unit of a trunk layer (gallery thumbnails):
   * `onProgress(step, steps)` every few steps. Rejects with name 'AbortError'
   * after `cancel(jobId)`. Optional so stand-in APIs need not have it.
   */
  visualize?(jobId: number, params: VisualizeParams, onProgress?: (step: number, steps: number) => void, model?: DreamModelChoice): Promise<VisualizeResult>;
  /**
   * "What this photo excites": the `top` channels of `layer` that `photo`
   * activates most relative to their usual activation on the sample photos
   * (one forward pass; the usual activations are computed once per model and layer).
   */
  excites?(photo: DreamPhoto, layer: string, top: number, model?: DreamModelChoice): Promise<ExcitedChannel[]>;
  /** Test-only fault injection (device-lost.ts); optional so stand-in APIs need not have it. */
  fault?(kind: WorkerFault): Promise<boolean>;
  /**
   * Benchmark baseline: `warmup + runs` bare forward + gradient passes of the
   * objective `params` describes on `photo` at its own size (no jitter, no
   * update, no frame), each timed with its objective readback.
   */
  benchmarkGradient(photo: DreamPhoto, params: DreamParams, runs: number, warmup: number, model?: DreamModelChoice): Promise<GradientBenchmark>;
  /**
   * Where on `photo` the filter (or layer) finds what it responds to: DeepLIFT
   * of its mean activation w.r.t. the photo (engine/dream/filter-heatmap.ts),
   * the map's buffer transferred. Rejects with AbortError after `cancel(jobId)`
   * (checked before and after the pass). Optional so stand-in APIs need not have it.
   */
  filterHeatmap?(jobId: number, photo: DreamPhoto, params: FilterHeatmapParams, model?: DreamModelChoice): Promise<FilterHeatmap>;
}

export function isRawImage(image: ImageBitmap | RawImage): image is RawImage {
  return (image as RawImage).pixels !== undefined;
}
