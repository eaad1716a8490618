/**
 * The Dream panel's state: settings, the photo's description, run status and
 * progress. Plain data only. The photo's ImageBitmap, the file it came from,
 * the running job's AbortController and the canvas's draw callback live in
 * module variables outside the state; frames go straight from the worker
 * client to that callback, never through React state.
 */
import { create } from 'zustand';
import { DEFAULT_DREAM_PARAMS, DREAM_LAYERS, type DreamParams } from '../engine/dream/params';
import { octaveSizes } from '../engine/dream/octaves';
import type { BackendInfo } from '../engine/backend-names';
import { TRUNK_MIN_SIDE } from '../engine/models/trunk-info';
import { correctStepCost, defaultMaxSide, estimateDreamMs, fitStepCost, typicalStepCost, type StepCost } from './dream-estimate';
import { createDreamClient, type DreamClient, type DreamFrame } from '../workers/dream-client';
import { createEnlargeClient, type EnlargeClient } from '../workers/enlarge-client';
import { INCEPTION_MODEL_ID, type DreamLayerInfo, type DreamModelChoice, type DreamModelInfo, type GradientBenchmark, type RawImage } from '../workers/dream-protocol';
import type { PixelScaling } from '../engine/models/model-spec';
import type { WorkerMemory } from '../workers/worker-stats';
import { isDeviceLostError, type WorkerFaultHooks } from '../workers/device-lost';
import { abortError, isAbortError } from '../workers/worker-handle';
import { useRuntimeStore } from './runtime-store';

export type DreamStatus = 'idle' | 'loading-model' | 'running' | 'done' | 'error';
export type ModelStatus = 'unloaded' | 'loading' | 'ready' | 'error';

export interface DreamSettings {
  /** The model dreamt with: INCEPTION_MODEL_ID (built in) or the id of a user model of the catalogue. */
  modelId: string;
  /** Longest side of the working image (px). */
  maxSide: number;
  layer: string;
  /** '' or 'all' = the whole layer; otherwise a channel number as typed. */
  filter: string;
  octaves: number;
  steps: number;
  stepSize: number;
  octaveScale: number;
  objective: 'mean' | 'l2';
  seed: number;
  fromNoise: boolean;
}

export interface PhotoInfo {
  name: string;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  isScaled: boolean;
}

/** A decoded photo (ui/common/decode-image's result). */
export interface DecodedPhoto {
  bitmap: ImageBitmap;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  isScaled: boolean;
}

/** Where the photo came from, kept so a new max side can decode it again. */
export interface PhotoSource {
  file: Blob;
  name: string;
}

export interface DreamProgress {
  /** 0-based octave index and 1-based step within it, of the latest frame. */
  octave: number;
  octaves: number;
  step: number;
  steps: number;
  /** Work done in [0, 1], steps weighted by their octave's pixel count. */
  fraction: number;
  /** Estimated time left (ms), null until a frame has been timed. */
  etaMs: number | null;
  elapsedMs: number;
  /** performance.now() when this progress was measured, so views can count the time left down between frames. */
  measuredAt: number;
}

export interface DreamState {
  status: DreamStatus;
  model: ModelStatus;
  /** Model download progress 0..1 while loading. */
  modelProgress: number;
  settings: DreamSettings;
  /** Id of the preset the settings came from, or 'custom' after any manual change. */
  preset: string;
  photo: PhotoInfo | null;
  /** Bumped whenever the photo bitmap changes, so views redraw it. */
  photoVersion: number;
  /** Size of the canvas (the working resolution): the photo's, or the noise image's. */
  canvas: { width: number; height: number } | null;
  isDecoding: boolean;
  progress: DreamProgress | null;
  /** Whether the canvas shows a dreamt image (at least one frame arrived). */
  hasResult: boolean;
  /** Summary of the last finished run. */
  lastRun: { elapsedMs: number; width: number; height: number; layer: string } | null;
  error: string | null;
  /** Whether the user chose the max side (then backend defaults never change it). */
  isMaxSideChosen: boolean;
  /** The dream worker's backend, once started. */
  backend: BackendInfo | null;
  /** Step costs on this device, by `${backend}:${layer}` (see costKey), measured or typical. */
  stepCosts: Record<string, StepCost>;
  /** The guide image of a guided dream (its bitmap lives outside the state, see getGuideBitmap), or null. */
  guide: GuideInfo | null;
  /** Bumped whenever the guide bitmap changes, so its thumbnail redraws. */
  guideVersion: number;
  /** The chosen user model (null: InceptionV3); its layers once the worker has made it dreamable. */
  userModel: DreamUserModel | null;
  /** Why Dream went back to InceptionV3 (a user model was removed or cannot dream), or null. */
  modelNotice: string | null;

  setSetting: <K extends keyof DreamSettings>(key: K, value: DreamSettings[K]) => void;
  applyPreset: (id: string) => void;
  /** A photo was decoded at the working size; the store takes ownership of its bitmap. Ends any run. */
  setPhoto: (photo: DecodedPhoto, source: PhotoSource) => void;
  /** A photo could not be opened: shows why; the current photo, settings and result stay. */
  photoFailed: (message: string) => void;
  setDecoding: (isDecoding: boolean) => void;
  /** Starts the backend and loads the model in the background (panel opened). */
  prepare: () => Promise<void>;
  start: () => Promise<void>;
  cancel: () => void;
  dismissError: () => void;
  /** After a failed model load: clears the error and loads the model again. */
  retryModel: () => Promise<void>;
  /** Times gradient passes for the current backend and layer (once each), so the estimate is this device's. */
  calibrate: () => Promise<void>;
  /** A guide image was decoded; the store takes ownership of its bitmap. The photo, settings and result stay. */
  setGuide: (guide: DecodedPhoto, name: string) => void;
  /** Removes the guide: the next dream is an ordinary one. */
  clearGuide: () => void;
  /**
   * Dreams with a user model of the catalogue (null: InceptionV3): loads it in the worker, lists its
   * layers and keeps the layer when it has one of that name. A model that cannot dream goes back to
   * InceptionV3 with a notice. Ends any run; the photo and the other settings stay.
   */
  chooseModel: (model: DreamModelSpec | null) => Promise<void>;
  /** The chosen user model is gone from the catalogue: back to InceptionV3 with a notice. */
  modelGone: (name: string) => void;
}

/** What the Dream model picker knows of a user model (from its catalogue spec). */
export interface DreamModelSpec {
  id: string;
  name: string;
  scaling: PixelScaling;
}

export interface DreamUserModel extends DreamModelSpec {
  /** Its dreamable layers with channel counts; null until the worker has loaded it. */
  layers: DreamLayerInfo[] | null;
  minSide: number | null;
}

/** A layer the layer picker offers: its name, what the picker shows, channels and (built in) a description. */
export interface LayerOption {
  name: string;
  label: string;
  channels: number;
  description?: string;
}

/** InceptionV3's dream layers as layer options. */
export const INCEPTION_LAYERS: readonly LayerOption[] = DREAM_LAYERS.map((l) => ({ name: l.name, label: l.name, channels: l.channels, description: l.description }));

/** The chosen model's layers; null while a user model's are not known yet. */
export function modelLayers(state: Pick<DreamState, 'settings' | 'userModel'>): readonly LayerOption[] | null {
  if (state.settings.modelId === INCEPTION_MODEL_ID) return INCEPTION_LAYERS;
  return state.userModel?.id === state.settings.modelId ? state.userModel.layers : null;
}

/** What requests to the worker carry for the chosen model (undefined: InceptionV3). */
export function modelChoice(state: Pick<DreamState, 'settings' | 'userModel'>): DreamModelChoice | undefined {
  const u = state.userModel;
  return state.settings.modelId !== INCEPTION_MODEL_ID && u?.id === state.settings.modelId ? { id: u.id, scaling: u.scaling } : undefined;
}

/** The smallest photo side the chosen model dreams on. */
export function modelMinSide(state: Pick<DreamState, 'settings' | 'userModel'>): number {
  return state.settings.modelId === INCEPTION_MODEL_ID ? TRUNK_MIN_SIDE : (state.userModel?.minSide ?? TRUNK_MIN_SIDE);
}

/** The layer a newly chosen user model starts on: about two thirds deep (mid-level features dream best). */
export function defaultUserLayer(layers: readonly LayerOption[]): string {
  return layers[Math.min(layers.length - 1, Math.floor((layers.length * 2) / 3))]?.name ?? '';
}

/** The guide image of a guided dream, as shown beside its thumbnail. */
export interface GuideInfo {
  name: string;
  width: number;
  height: number;
}

/** Why a guide and a single filter cannot run together (the guide applies to the whole layer). */
export const GUIDE_WITH_FILTER_MESSAGE = 'A guide applies to the whole layer, so it cannot be combined with a single filter: empty the Filter field (or clear the guide) and press Start again.';

/** Choices of the max side setting. */
export const MAX_SIDE_CHOICES = [64, 128, 256, 384, 512, 768, 1024, 1536, 2048] as const;
/** Largest side of the square noise image when dreaming from noise without a photo (also capped by max side). */
export const NOISE_SIDE = 256;

/**
 * How long a cancelled run may take to stop before its worker is terminated (ms). One step can take
 * tens of seconds on a software GPU (the first compiles shaders); terminating means reloading the
 * model, so be patient. The UI returns to idle at once either way.
 */
export const CANCEL_GRACE_MS = 60_000;

export const LIMITS = {
  octaves: { min: 1, max: 8 },
  steps: { min: 1, max: 200 },
  stepSize: { min: 0.0001, max: 1 },
  octaveScale: { min: 1.05, max: 2 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

export const DEFAULT_SETTINGS: DreamSettings = {
  modelId: INCEPTION_MODEL_ID,
  maxSide: 512,
  layer: DEFAULT_DREAM_PARAMS.layers[0]?.name ?? 'mixed3',
  filter: DEFAULT_DREAM_PARAMS.channel === null ? '' : String(DEFAULT_DREAM_PARAMS.channel),
  octaves: DEFAULT_DREAM_PARAMS.octaves,
  steps: DEFAULT_DREAM_PARAMS.steps,
  stepSize: DEFAULT_DREAM_PARAMS.stepSize,
  octaveScale: DEFAULT_DREAM_PARAMS.octaveScale,
  objective: DEFAULT_DREAM_PARAMS.objective,
  seed: DEFAULT_DREAM_PARAMS.seed,
  fromNoise: DEFAULT_DREAM_PARAMS.fromNoise,
};

export interface DreamPreset {
  id: string;
  label: string;
  description: string;
  settings: Partial<DreamSettings>;
}

const baseStep = DEFAULT_DREAM_PARAMS.stepSize;
const round = (x: number) => Number(x.toPrecision(3));

/** Presets set several controls at once; max side and seed are left alone. */
export const DREAM_PRESETS: readonly DreamPreset[] = [
  {
    id: 'classic',
    label: 'Classic (mixed3)',
    description: 'The familiar look: eyes, spirals and shells.',
    settings: { layer: 'mixed3', filter: '', objective: 'mean', octaves: 4, octaveScale: 1.4, steps: 10, stepSize: baseStep, fromNoise: false },
  },
  {
    id: 'deep',
    label: 'Deep (mixed5, L2)',
    description: 'Higher-level parts: animal faces, buildings, fur.',
    settings: { layer: 'mixed5', filter: '', objective: 'l2', octaves: 5, octaveScale: 1.4, steps: 12, stepSize: baseStep, fromNoise: false },
  },
  {
    id: 'gentle',
    label: 'Gentle',
    description: 'A light touch of texture that keeps the photo recognisable.',
    settings: { layer: 'mixed2', filter: '', objective: 'mean', octaves: 3, octaveScale: 1.3, steps: 6, stepSize: round(baseStep / 2), fromNoise: false },
  },
  {
    id: 'textures',
    label: 'Textures (mixed1)',
    description: 'Low-level strokes and weaves.',
    settings: { layer: 'mixed1', filter: '', objective: 'mean', octaves: 4, octaveScale: 1.4, steps: 10, stepSize: baseStep, fromNoise: false },
  },
  {
    id: 'filter',
    label: 'One filter (mixed4 #97)',
    description: 'Amplify a single channel everywhere in the photo.',
    settings: { layer: 'mixed4', filter: '97', objective: 'mean', octaves: 4, octaveScale: 1.4, steps: 12, stepSize: baseStep, fromNoise: false },
  },
  {
    id: 'noise',
    label: 'Feature visualisation (from noise)',
    description: 'Start from noise and show what one filter looks for.',
    settings: { layer: 'mixed3', filter: '42', objective: 'mean', octaves: 4, octaveScale: 1.4, steps: 20, stepSize: baseStep, fromNoise: true },
  },
];

export function layerChannels(layer: string, layers: readonly LayerOption[] = INCEPTION_LAYERS): number | null {
  return layers.find((l) => l.name === layer)?.channels ?? null;
}

/** Parses the filter field: null = whole layer, a channel index, or an error message. */
export function parseFilter(text: string, channels: number | null): { channel: number | null; error: string | null } {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'all') return { channel: null, error: null };
  const max = channels === null ? null : channels - 1;
  const range = max === null ? 'a channel number' : `a channel number from 0 to ${max}`;
  if (!/^\d+$/.test(t)) return { channel: null, error: `Enter ${range}, or leave it empty for the whole layer.` };
  const n = Number(t);
  if (max !== null && n > max) return { channel: null, error: `This layer has ${channels} channels: enter ${range}.` };
  return { channel: n, error: null };
}

export type SettingErrors = Partial<Record<keyof DreamSettings, string>>;

function checkNumber(value: number, limits: { min: number; max: number }, integer: boolean, what: string): string | null {
  if (!Number.isFinite(value)) return `Enter ${what}.`;
  if (integer && !Number.isInteger(value)) return `${what[0]!.toUpperCase()}${what.slice(1)} must be a whole number.`;
  if (value < limits.min || value > limits.max) return `Choose ${what} from ${limits.min} to ${limits.max}.`;
  return null;
}

/**
 * Every invalid setting with a message saying what is allowed. The layer and filter are checked
 * against `layers` (default: InceptionV3's for it; a user model's are checked once its layers are
 * known, so a restored session keeps them until then).
 */
export function validateSettings(settings: DreamSettings, layers?: readonly LayerOption[] | null): SettingErrors {
  const errors: SettingErrors = {};
  const put = (key: keyof DreamSettings, message: string | null) => {
    if (message) errors[key] = message;
  };
  const known = layers !== undefined ? layers : settings.modelId === INCEPTION_MODEL_ID ? INCEPTION_LAYERS : null;
  if (known) {
    if (layerChannels(settings.layer, known) === null) put('layer', `Unknown layer ${settings.layer}.`);
    put('filter', parseFilter(settings.filter, layerChannels(settings.layer, known)).error);
  }
  put('octaves', checkNumber(settings.octaves, LIMITS.octaves, true, 'a number of octaves'));
  put('steps', checkNumber(settings.steps, LIMITS.steps, true, 'a number of steps'));
  put('stepSize', checkNumber(settings.stepSize, LIMITS.stepSize, false, 'a step size'));
  put('octaveScale', checkNumber(settings.octaveScale, LIMITS.octaveScale, false, 'an octave scale'));
  put('seed', checkNumber(settings.seed, LIMITS.seed, true, 'a seed'));
  return errors;
}

/** validateSettings against the chosen model's layers (a user model's once they are known). */
export function settingErrors(state: Pick<DreamState, 'settings' | 'userModel'>): SettingErrors {
  return validateSettings(state.settings, modelChoice(state) ? modelLayers(state) : undefined);
}

/** The engine's parameters for these (valid) settings; `layers` are the model's (default InceptionV3's). */
export function toDreamParams(settings: DreamSettings, layers: readonly LayerOption[] = INCEPTION_LAYERS): DreamParams {
  return {
    ...DEFAULT_DREAM_PARAMS,
    layers: [{ name: settings.layer, weight: 1 }],
    channel: parseFilter(settings.filter, layerChannels(settings.layer, layers)).channel,
    objective: settings.objective,
    octaves: settings.octaves,
    octaveScale: settings.octaveScale,
    steps: settings.steps,
    stepSize: settings.stepSize,
    seed: settings.seed,
    fromNoise: settings.fromNoise,
    // A frame after every step: a step takes far longer than its readback, and users want to watch.
    frameEvery: 1,
  };
}

/** Turns any failure into a sentence the user can act on. */
export function userMessage(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'BadImageError':
      return message;
    case 'ModelLoadError':
      return `The Deep Dream model could not be loaded (${message}). Press Start to try again, or reload the page.`;
    case 'BackendUnavailableError':
      return `No compute backend could start in this browser: ${message}`;
    case 'DeviceLostError':
      return `${message}. Switching to the next backend (the badge shows which); your photo and settings are kept: press Start to dream again.`;
    case 'WorkerCrashedError':
      return `${message}. Your photo and settings are kept; press Start to try again (a smaller max side needs less memory).`;
    default:
      return `Dreaming failed: ${message || 'unknown error'}. Your photo and settings are kept.`;
  }
}

// ---- Outside the state: resources and callbacks -------------------------------------------------

let client: DreamClient | null = null;
let unsubscribeCrash: (() => void) | null = null;
let photoBitmap: ImageBitmap | null = null;
let photoSource: { file: Blob; name: string } | null = null;
let guideBitmap: ImageBitmap | null = null;
let controller: AbortController | null = null;
/** Each start gets a new run id; frames and results of older runs are dropped. */
let runId = 0;
type FrameSink = (frame: DreamFrame) => void;
let frameSink: FrameSink | null = null;
/** Listeners that see each frame before the sink (the session keeps the last one); they must not close it. */
const frameTaps = new Set<FrameSink>();
/** A finished image shown without a run (restored after a reload, reopened from the history); owned here. */
let shownResult: ImageBitmap | null = null;

/** The Deep Dream worker's client (created on demand), for the stores of other Dream views (heatmap-store.ts). */
export const dreamClient = (): DreamClient => getClient();

/** Replaces the worker client (tests pass a stub). */
export function setDreamClient(next: DreamClient | null): void {
  unsubscribeCrash?.();
  unsubscribeCrash = null;
  client = next;
}

function getClient(): DreamClient {
  if (!client) {
    client = createDreamClient();
    unsubscribeCrash = client.onCrash(() => useDreamStore.setState({ model: 'unloaded', modelProgress: 0 }));
  }
  return client;
}

/** The Deep Dream worker's client, shared with the filter gallery (one worker, one copy of the model). */
export function getDreamClient(): DreamClient {
  return getClient();
}

/** The Deep Dream worker's tf.memory() and model load time (soak tests, benchmarks); null when no worker runs. */
export async function dreamWorkerMemory(): Promise<WorkerMemory | null> {
  return (await client?.memory?.()) ?? null;
}

/**
 * Benchmark baseline for a dream step: bare forward + gradient passes of the
 * current settings' objective on the current photo at its working size, in the
 * Deep Dream worker (model loaded first if needed). Null without a photo.
 */
export async function benchmarkDreamGradient(runs: number, warmup = 1): Promise<GradientBenchmark | null> {
  const c = getClient();
  if (!photoBitmap || !c.benchmarkGradient) return null;
  await c.init(useRuntimeStore.getState().preference);
  const state = useDreamStore.getState();
  return c.benchmarkGradient(photoBitmap, toDreamParams(state.settings, modelLayers(state) ?? []), runs, warmup, modelChoice(state));
}

/**
 * Runs a job on the Deep Dream worker once its backend has started and the
 * InceptionV3 trunk has loaded (the film methods share both; film-store.ts
 * uses this; films dream with InceptionV3 whatever model the panel uses).
 */
export async function runOnDreamWorker<T>(call: Parameters<NonNullable<DreamClient['runJob']>>[0]): Promise<T> {
  const c = getClient();
  if (!c.runJob) throw new Error('this Deep Dream worker client cannot run other jobs');
  const info = await c.init(useRuntimeStore.getState().preference);
  useRuntimeStore.getState().reportBackend('dream', info);
  // Films use InceptionV3; the Dream panel's model status is about its own choice, which may be a user model.
  const isPanelModel = () => useDreamStore.getState().settings.modelId === INCEPTION_MODEL_ID;
  if (isPanelModel() && useDreamStore.getState().model !== 'ready') useDreamStore.setState({ model: 'loading' });
  try {
    await c.loadModel((fraction) => {
      if (isPanelModel()) useDreamStore.setState({ modelProgress: fraction });
    });
  } catch (error) {
    if (isPanelModel()) useDreamStore.setState({ model: 'error' });
    throw error;
  }
  if (isPanelModel()) useDreamStore.setState({ model: 'ready', modelProgress: 1 });
  return c.runJob(call) as Promise<T>;
}

/** The Deep Dream worker's test-only fault hooks (window.__dreamlift.faults); null before its client exists. */
export function dreamWorkerFaults(): WorkerFaultHooks | null {
  return client?.faults ?? null;
}

let enlargeClient: EnlargeClient | null = null;

/** Replaces the enlarge worker's client (tests pass a stub). */
export function setEnlargeClient(next: EnlargeClient | null): void {
  enlargeClient = next;
}

/**
 * The dream at the photo's original size, as a PNG: the dream's detail
 * (`result` − the working-size photo) upscaled and added to `original`, in the
 * enlarge worker. `original` is transferred (closed); `result` stays the
 * caller's. `background` shows through transparent parts, as in the working photo.
 */
export async function enlargeDream(original: ImageBitmap, result: ImageBitmap, background: string): Promise<Blob> {
  if (!photoBitmap) {
    original.close();
    throw new Error('there is no photo to enlarge the dream onto');
  }
  enlargeClient ??= createEnlargeClient();
  return enlargeClient.enlarge(original, photoBitmap, result, background);
}

/** The guide image of a guided dream (owned by the store; do not close), or null. */
export function getGuideBitmap(): ImageBitmap | null {
  return guideBitmap;
}

/** The current photo at the working size (owned by the store; do not close). */
export function getPhotoBitmap(): ImageBitmap | null {
  return photoBitmap;
}

/** The file the current photo came from (to decode again at another max side). */
export function getPhotoSource(): PhotoSource | null {
  return photoSource;
}

/** Calls `tap` with every frame of the current run before the canvas draws it (it must not close the bitmap). */
export function tapFrames(tap: FrameSink): () => void {
  frameTaps.add(tap);
  return () => {
    frameTaps.delete(tap);
  };
}

/** The result shown without a run (a restored or reopened dream), or null; owned by the store, do not close. */
export function getShownResult(): ImageBitmap | null {
  return shownResult;
}

function dropShownResult(): void {
  shownResult?.close();
  shownResult = null;
}

/**
 * Shows a finished dream (restored after a reload or reopened from the history) on the canvas; the
 * store takes ownership of `bitmap`. Any run ends; the photo and settings stay.
 */
export function showResult(bitmap: ImageBitmap): void {
  if (useDreamStore.getState().status === 'running' || useDreamStore.getState().status === 'loading-model') useDreamStore.getState().cancel();
  dropShownResult();
  shownResult = bitmap;
  useDreamStore.setState((s) => ({
    hasResult: true,
    canvas: { width: bitmap.width, height: bitmap.height },
    photoVersion: s.photoVersion + 1,
    status: s.status === 'error' ? 'idle' : s.status,
  }));
}

/** Registers the canvas's draw callback; it must close each frame's bitmap. Returns the unregister function. */
export function registerFrameSink(sink: FrameSink): () => void {
  frameSink = sink;
  return () => {
    if (frameSink === sink) frameSink = null;
  };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Key of a step cost: the backend, the layer (deeper layers cost more per pixel) and a user model's id. */
export function costKey(backend: string | undefined, layer: string, modelId: string = INCEPTION_MODEL_ID): string {
  return modelId === INCEPTION_MODEL_ID ? `${backend ?? '?'}:${layer}` : `${backend ?? '?'}:${modelId}/${layer}`;
}

/** Image sides of the calibration passes: two sizes give the per-pixel cost and the per-step overhead. */
const CALIBRATION_SIDES = [64, 128] as const;

function noisePixels(side: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = new Uint8ClampedArray(side * side * 4);
  let x = 12345;
  for (let i = 0; i < pixels.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    pixels[i] = i % 4 === 3 ? 255 : x >>> 24;
  }
  return pixels;
}

/** Size a dream of these settings would run at now: the photo's, or the noise image's. */
export function dreamSize(state: Pick<DreamState, 'photo' | 'settings'>): { width: number; height: number } {
  const noiseSide = Math.min(NOISE_SIDE, state.settings.maxSide);
  return state.photo ? { width: state.photo.width, height: state.photo.height } : { width: noiseSide, height: noiseSide };
}

/**
 * The step cost for the current backend and layer: timed on this device, else typical of the backend
 * (InceptionV3 only: a user model's cost is unknown until timed).
 */
export function stepCostFor(state: Pick<DreamState, 'settings' | 'backend' | 'stepCosts'>): StepCost | null {
  if (!state.backend) return null;
  const timed = state.stepCosts[costKey(state.backend.name, state.settings.layer, state.settings.modelId)];
  return timed ?? (state.settings.modelId === INCEPTION_MODEL_ID ? typicalStepCost(state.backend) : null);
}

/**
 * The estimated duration of a dream with the current settings on the current
 * backend (ms) and where the cost came from; null while nothing is known
 * (no backend yet, or a hardware GPU not yet timed).
 */
export function dreamEstimate(state: Pick<DreamState, 'photo' | 'settings' | 'backend' | 'stepCosts' | 'userModel'>): { ms: number; cost: StepCost } | null {
  const cost = stepCostFor(state);
  if (!cost || Object.keys(settingErrors(state)).length > 0) return null;
  const { width, height } = dreamSize(state);
  return { ms: estimateDreamMs(width, height, state.settings, cost, modelMinSide(state)), cost };
}

/** Units of work per step of each octave (its pixel count), for progress and time left. */
function octaveWork(width: number, height: number, settings: DreamSettings): number[] {
  return octaveSizes(width, height, settings.octaves, settings.octaveScale).map((s) => s.width * s.height);
}

function progressOf(
  frame: DreamFrame,
  work: number[],
  timing: { firstElapsed: number; firstDone: number } | null,
): { progress: DreamProgress; done: number } {
  const total = work.reduce((a, w) => a + w * frame.steps, 0);
  let done = 0;
  for (let k = 0; k < frame.octave && k < work.length; k++) done += work[k]! * frame.steps;
  done += (work[frame.octave] ?? 0) * frame.step;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  let etaMs: number | null = null;
  // Rate from the frames after the first (the first step includes warm-up: shader compilation, allocation).
  if (timing && done > timing.firstDone && frame.elapsedMs > timing.firstElapsed) {
    etaMs = ((frame.elapsedMs - timing.firstElapsed) / (done - timing.firstDone)) * (total - done);
  } else if (done > 0) {
    etaMs = (frame.elapsedMs / done) * (total - done);
  }
  return {
    progress: {
      octave: frame.octave,
      octaves: frame.octaves,
      step: frame.step,
      steps: frame.steps,
      fraction,
      etaMs,
      elapsedMs: frame.elapsedMs,
      measuredAt: performance.now(),
    },
    done,
  };
}

const initialData = {
  status: 'idle' as DreamStatus,
  model: 'unloaded' as ModelStatus,
  modelProgress: 0,
  settings: DEFAULT_SETTINGS,
  preset: 'custom',
  photo: null,
  photoVersion: 0,
  canvas: null,
  isDecoding: false,
  progress: null,
  hasResult: false,
  lastRun: null,
  error: null,
  isMaxSideChosen: false,
  backend: null as BackendInfo | null,
  stepCosts: {} as Record<string, StepCost>,
  guide: null as GuideInfo | null,
  guideVersion: 0,
  userModel: null as DreamUserModel | null,
  modelNotice: null as string | null,
};

export const useDreamStore = create<DreamState>()((set, get) => {
  const ensureModel = async (signal?: AbortSignal): Promise<void> => {
    const c = getClient();
    const info = await c.init(useRuntimeStore.getState().preference);
    useRuntimeStore.getState().reportBackend('dream', info);
    applyBackend(info);
    const { settings } = get();
    const choice = modelChoice(get());
    if (settings.modelId !== INCEPTION_MODEL_ID && !choice) throw new Error('the chosen model is not in the catalogue');
    if (get().model !== 'ready') set({ model: 'loading' });
    const loading = c.loadModel((fraction) => set({ modelProgress: fraction }), choice);
    const loaded = await (signal ? raceAbort(loading, signal) : loading);
    // Another model was chosen meanwhile: its own load reports.
    if (get().settings.modelId !== settings.modelId) return;
    if (choice) applyUserLayers(loaded);
    set({ model: 'ready', modelProgress: 1 });
  };

  /** A user model's layers are known: list them, keep the layer when it has one of that name, keep a filter in range. */
  const applyUserLayers = (loaded: DreamModelInfo) => {
    const layers = loaded.layers ?? loaded.layerNames.map((name) => ({ name, label: name, channels: 0, kind: 'block' as const }));
    const { userModel, settings } = get();
    if (!userModel) return;
    const layer = layers.some((l) => l.name === settings.layer) ? settings.layer : defaultUserLayer(layers);
    const filter = parseFilter(settings.filter, layerChannels(layer, layers)).error ? '' : settings.filter;
    set({ userModel: { ...userModel, layers, minSide: loaded.minSide ?? 1 }, settings: { ...settings, layer, filter } });
  };
  /** Each model choice gets an id; a slower earlier choice does not undo a later one. */
  let choiceId = 0;

  /** A backend is known: its default max side (unless the user chose one) and its typical step cost. */
  const applyBackend = (info: BackendInfo) => {
    const { isMaxSideChosen, settings, status } = get();
    set({
      backend: info,
      // Never while a run uses the current size; never over the user's own choice.
      ...(!isMaxSideChosen && status !== 'running' ? { settings: { ...settings, maxSide: defaultMaxSide(info) } } : {}),
    });
  };
  let calibrating: string | null = null;

  return {
    ...initialData,

    setSetting: (key, value) => {
      const previous = get().settings;
      set({
        settings: { ...previous, [key]: value },
        preset: key === 'maxSide' || key === 'seed' ? get().preset : 'custom',
        isMaxSideChosen: get().isMaxSideChosen || key === 'maxSide',
      });
    },

    applyPreset: (id) => {
      const preset = DREAM_PRESETS.find((p) => p.id === id);
      if (!preset) {
        set({ preset: 'custom' });
        return;
      }
      // Presets are InceptionV3's layers and filters: they bring Dream back to it.
      const toInception = get().settings.modelId !== INCEPTION_MODEL_ID;
      if (toInception && controller) get().cancel();
      set((s) => ({
        settings: { ...s.settings, ...preset.settings, modelId: INCEPTION_MODEL_ID },
        preset: id,
        ...(toInception ? { userModel: null, model: 'unloaded' as const, modelProgress: 0 } : {}),
      }));
      if (toInception) void get().prepare();
    },

    setPhoto: (decoded, source) => {
      // A new photo ends any run on the old one.
      if (controller) get().cancel();
      photoBitmap?.close();
      dropShownResult();
      photoBitmap = decoded.bitmap;
      photoSource = source;
      const { width, height, originalWidth, originalHeight, isScaled } = decoded;
      set((s) => ({
        photo: { name: source.name, width, height, originalWidth, originalHeight, isScaled },
        photoVersion: s.photoVersion + 1,
        canvas: { width, height },
        hasResult: false,
        progress: null,
        lastRun: null,
        status: s.status === 'error' || s.status === 'done' ? 'idle' : s.status,
        error: null,
        isDecoding: false,
      }));
    },

    photoFailed: (message) => set({ error: message, isDecoding: false }),

    setDecoding: (isDecoding) => set({ isDecoding }),

    prepare: async () => {
      if (get().model === 'ready' || get().model === 'loading') return;
      // A restored user model waits for the catalogue (dream-models.ts chooses it then).
      if (get().settings.modelId !== INCEPTION_MODEL_ID && !modelChoice(get())) return;
      const hadFailed = get().model === 'error';
      try {
        await ensureModel();
        // Loaded after an earlier failure (the panel reopened): that failure's message no longer applies.
        if (hadFailed && get().status !== 'error') set({ error: null });
      } catch (error) {
        set({ model: 'error' });
        // Shown only when no run is waiting on it; a run reports its own failure.
        if (get().status === 'idle') set({ error: userMessage(error) });
      }
    },

    start: async () => {
      const { settings, photo } = get();
      const errors = settingErrors(get());
      const firstError = Object.values(errors)[0];
      if (firstError) {
        set({ error: firstError });
        return;
      }
      if (!photoBitmap && !settings.fromNoise) {
        set({ error: 'Choose a photo or a sample first (or tick “Start from noise”).' });
        return;
      }
      if (guideBitmap && parseFilter(settings.filter, layerChannels(settings.layer, modelLayers(get()) ?? [])).channel !== null) {
        set({ error: GUIDE_WITH_FILTER_MESSAGE });
        return;
      }
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      const myRun = ++runId;
      const noiseSide = Math.min(NOISE_SIDE, settings.maxSide);
      const size = photo ?? { width: noiseSide, height: noiseSide };
      const input: ImageBitmap | RawImage =
        photoBitmap ?? { width: size.width, height: size.height, pixels: new Uint8ClampedArray(size.width * size.height * 4) };
      const layers = modelLayers(get());
      const choice = modelChoice(get());
      if (settings.modelId !== INCEPTION_MODEL_ID && (!choice || !layers)) {
        set({ error: 'The chosen model is still loading: press Start again in a moment.' });
        return;
      }
      const params = toDreamParams(settings, layers ?? INCEPTION_LAYERS);
      const work = octaveWork(size.width, size.height, settings);
      let timing: { firstElapsed: number; firstDone: number } | null = null;
      set({
        status: get().model === 'ready' ? 'running' : 'loading-model',
        error: null,
        progress: null,
        canvas: { width: size.width, height: size.height },
      });
      try {
        await ensureModel(mine.signal);
        if (myRun !== runId) return;
        set({ status: 'running' });
        const onFrame = (frame: DreamFrame) => {
          if (myRun !== runId || mine.signal.aborted) {
            frame.bitmap.close();
            return;
          }
          const { progress, done } = progressOf(frame, work, timing);
          timing ??= { firstElapsed: frame.elapsedMs, firstDone: done };
          for (const tap of frameTaps) tap(frame);
          if (frameSink) frameSink(frame);
          else frame.bitmap.close();
          set({ progress, hasResult: true });
        };
        const result = await getClient().run(input, params, { signal: mine.signal, onFrame, graceMs: CANCEL_GRACE_MS, guide: guideBitmap, model: choice });
        if (myRun !== runId) return;
        const cost = stepCostFor({ ...get(), settings });
        if (cost && result.frames > 0) {
          const predicted = estimateDreamMs(size.width, size.height, settings, cost, modelMinSide(get()));
          set((s) => ({ stepCosts: { ...s.stepCosts, [costKey(cost.backend, settings.layer, settings.modelId)]: correctStepCost(cost, predicted, result.elapsedMs) } }));
        }
        set((s) => ({
          status: 'done',
          progress: s.progress ? { ...s.progress, fraction: 1, etaMs: 0, elapsedMs: result.elapsedMs } : null,
          lastRun: { elapsedMs: result.elapsedMs, width: result.width, height: result.height, layer: settings.layer },
        }));
      } catch (error) {
        if (myRun !== runId) return;
        if (isAbortError(error)) set({ status: 'idle' });
        else if (isDeviceLostError(error)) {
          // The client ended the worker; start the next backend now so the badge says which.
          set({ status: 'error', error: userMessage(error), model: 'unloaded', modelProgress: 0 });
          void get().prepare();
        } else set({ status: 'error', error: userMessage(error), ...(error instanceof Error && error.name === 'ModelLoadError' ? { model: 'error' as const } : {}) });
      } finally {
        if (controller === mine) controller = null;
      }
    },

    cancel: () => {
      controller?.abort();
      controller = null;
      // Invalidate the run at once: late frames are dropped, the last one drawn stays.
      runId++;
      const status = get().status;
      if (status === 'running' || status === 'loading-model') set({ status: 'idle' });
    },

    dismissError: () => set({ error: null }),

    calibrate: async () => {
      const { backend, model, settings, stepCosts, status } = get();
      const c = getClient();
      if (!backend || model !== 'ready' || status === 'running' || !c.benchmarkGradient) return;
      const key = costKey(backend.name, settings.layer, settings.modelId);
      const known = stepCosts[key];
      const layers = modelLayers(get());
      if (!layers) return;
      // A software GPU takes tens of seconds per pass: its typical cost stands.
      if (backend.isSoftwareGpu || (known && known.source !== 'typical') || calibrating === key) return;
      calibrating = key;
      try {
        const params = toDreamParams(settings, layers);
        const choice = modelChoice(get());
        const samples: { pixels: number; ms: number }[] = [];
        for (const side of CALIBRATION_SIDES) {
          // A dream started meanwhile: do not compete with it (the run's own timing will correct the estimate).
          if (get().status === 'running' || get().status === 'loading-model') return;
          const noise: RawImage = { width: side, height: side, pixels: noisePixels(side) };
          const timed = await c.benchmarkGradient(noise, params, 1, 1, choice);
          samples.push(...timed.passMs.map((ms) => ({ pixels: side * side, ms })));
        }
        if (get().backend?.name !== backend.name) return;
        set((s) => ({ stepCosts: { ...s.stepCosts, [key]: fitStepCost(backend.name, samples) } }));
      } catch {
        // Only the estimate suffers: it stays typical (or absent) until a dream is timed.
      } finally {
        if (calibrating === key) calibrating = null;
      }
    },

    setGuide: (decoded, name) => {
      // A running dream has its own copy of the old guide; the new one applies from the next Start.
      guideBitmap?.close();
      guideBitmap = decoded.bitmap;
      set((s) => ({ guide: { name, width: decoded.width, height: decoded.height }, guideVersion: s.guideVersion + 1, error: null }));
    },

    clearGuide: () => {
      guideBitmap?.close();
      guideBitmap = null;
      set((s) => ({ guide: null, guideVersion: s.guideVersion + 1 }));
    },

    chooseModel: async (spec) => {
      const mine = ++choiceId;
      if (get().status === 'running' || get().status === 'loading-model') get().cancel();
      if (!spec || spec.id === INCEPTION_MODEL_ID) {
        const keepsLayer = INCEPTION_LAYERS.some((l) => l.name === get().settings.layer);
        set((s) => ({
          userModel: null,
          model: 'unloaded',
          modelProgress: 0,
          modelNotice: null,
          settings: { ...s.settings, modelId: INCEPTION_MODEL_ID, ...(keepsLayer ? {} : { layer: DEFAULT_SETTINGS.layer, filter: '' }) },
        }));
        await get().prepare();
        return;
      }
      const same = get().userModel;
      set((s) => ({
        userModel: same?.id === spec.id && same.scaling === spec.scaling ? { ...same, name: spec.name } : { ...spec, layers: null, minSide: null },
        model: 'unloaded',
        modelProgress: 0,
        modelNotice: null,
        error: null,
        status: s.status === 'error' ? 'idle' : s.status,
        preset: 'custom',
        settings: { ...s.settings, modelId: spec.id },
      }));
      try {
        await ensureModel();
      } catch (error) {
        if (mine !== choiceId) return;
        const why = error instanceof Error ? error.message : String(error);
        await get().chooseModel(null);
        set({ modelNotice: `“${spec.name}” cannot dream: ${why}. Dream is back on InceptionV3.` });
      }
    },

    modelGone: (name) => {
      if (get().settings.modelId === INCEPTION_MODEL_ID) return;
      void get().chooseModel(null).then(() => set({ modelNotice: `“${name}” was removed from your models. Dream is back on InceptionV3.` }));
    },

    retryModel: async () => {
      set((s) => ({ error: null, model: 'unloaded', modelProgress: 0, status: s.status === 'error' ? 'idle' : s.status }));
      await get().prepare();
    },
  };
});

/**
 * After a lost GPU device: ends any run, and a fresh worker tries WebGPU again (reloading the model
 * if it was loaded, else only starting the backend so the badge says which one runs).
 */
export async function retryDreamWebGpu(): Promise<void> {
  if (!client?.retryGpu) return;
  const { model } = useDreamStore.getState();
  useDreamStore.getState().cancel();
  client.retryGpu();
  useDreamStore.setState({ model: 'unloaded', modelProgress: 0 });
  if (model === 'ready' || model === 'error') {
    await useDreamStore.getState().prepare();
    return;
  }
  try {
    useRuntimeStore.getState().reportBackend('dream', await client.init(useRuntimeStore.getState().preference));
  } catch {
    /* the next start reports its own failure */
  }
}

/** Back to the initial state, releasing the photo (tests call this after each test). */
export function resetDreamStore(): void {
  controller?.abort();
  controller = null;
  runId++;
  photoBitmap?.close();
  photoBitmap = null;
  photoSource = null;
  guideBitmap?.close();
  guideBitmap = null;
  frameSink = null;
  dropShownResult();
  useDreamStore.setState({ ...initialData });
}
