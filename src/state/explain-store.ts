/**
 * State of the Explain panel: the model's input (the 28×28 the model sees),
 * the settings, the latest result, status and error. Plain data only; the
 * worker client and the in-flight AbortController live outside the state.
 *
 * Requests: a new drawing schedules an explanation at most every
 * EXPLAIN_DEBOUNCE_MS while the user keeps drawing; a settings change runs at
 * once. One request is in the worker at a time and the latest wins:
 * - a request made while another runs waits, and only the newest waiting one
 *   is sent when the running one settles (so jobs never pile up in the worker);
 * - a running request made stale by new settings (or a clear) is aborted, and
 *   its worker job cancelled through the client's AbortSignal; its result is
 *   never shown;
 * - a running request made stale only by newer pixels is left to finish and
 *   shown as an intermediate frame, so on a slow backend (a pass can take
 *   seconds on a software GPU) the explanation still follows the pen.
 */
import { create } from 'zustand';
import type { BackendInfo } from '../engine/backend';
import { REFERENCE_BLUR_SIGMA, REFERENCE_GREY, type ReferenceSpec } from '../engine/image/reference';
import { uploadToInk, type UploadInk } from '../engine/image/mnist-preprocess';
import { createExplainClient, type ExplainClient } from '../workers/explain-client';
import type { WorkerMemory } from '../workers/worker-stats';
import type { ExplainParams, ExplainResult, ExplainRule } from '../workers/explain-protocol';
import { isDeviceLostError, type WorkerFaultHooks } from '../workers/device-lost';
import { isAbortError } from '../workers/worker-handle';
import { useRuntimeStore } from './runtime-store';

export const EXPLAIN_DEBOUNCE_MS = 150;

export type ReferenceChoice = 'black' | 'grey' | 'blurred' | 'custom';
export type HeatmapView = 'overlay' | 'side';

export interface ExplainSettings {
  rule: ExplainRule;
  /** null: the predicted class. */
  target: number | null;
  /** null: no contrast (explain the target's logit alone). */
  contrast: number | null;
  softmaxNormalize: boolean;
  reference: ReferenceChoice;
  view: HeatmapView;
}

export type ExplainStatus = 'idle' | 'running';

export interface ExplainState {
  /** The model's input: Float32Array(784) in [0, 1], light on dark; null when nothing is drawn. */
  pixels: Float32Array | null;
  /** The user's own reference (captured drawing), Float32Array(784) in [0, 1]. */
  customReference: Float32Array | null;
  settings: ExplainSettings;
  /** The latest finished explanation (kept when a later request fails). */
  result: ExplainResult | null;
  /** The input `result` was computed for (drawing may have moved on since). */
  resultInput: Float32Array | null;
  status: ExplainStatus;
  /** A message the user can act on; null when all is well. */
  error: string | null;
  /** Whether `error` is about the user's input (a bad file…) rather than the computation. */
  errorIsInput: boolean;
  /** Whether the error offers a Retry button (the model could not be loaded). */
  canRetry: boolean;
  /** Set when the uploaded picture is unlike a digit (engine/image/digit-likeness.ts), in words; null otherwise. */
  notDigitWarning: string | null;
  setNotDigitWarning: (message: string | null) => void;
  setPixels: (pixels01: Float32Array | null) => void;
  updateSettings: (changes: Partial<ExplainSettings>) => void;
  /** Uses the current drawing as the reference (and selects it). */
  captureReference: () => void;
  clearInput: () => void;
  showError: (message: string) => void;
  dismissError: () => void;
  /** Clears a retryable error and tries again (the model is fetched anew). */
  retry: () => void;
  /** Starts the worker and its backend early so the badge shows it; safe to call repeatedly. */
  warmUp: () => Promise<void>;
  /** Runs an explanation of the current pixels now (aborting any in flight). */
  explainNow: () => Promise<void>;
}

export const DEFAULT_SETTINGS: ExplainSettings = {
  rule: 'rescale',
  target: null,
  contrast: null,
  softmaxNormalize: false,
  reference: 'black',
  view: 'overlay',
};

let client: ExplainClient | null = null;
let unsubscribeCrash: (() => void) | null = null;
/** The request in the worker: its controller and the settings it was made with. */
let inflight: { controller: AbortController; settingsKey: string } | null = null;
/** Whether a newer request waits for the running one to settle. */
let isPending = false;
let timer: ReturnType<typeof setTimeout> | null = null;
/** Bumped on every captured reference, so a new capture counts as new settings. */
let customReferenceVersion = 0;

/** What the panel keeps through a worker failure, as a clause ("your drawing is kept"); the photo views register theirs. */
let keptInput: () => string = () => 'your drawing is kept';

/** Registers what the panel keeps through a worker failure in the current mode (photo-explain-store does). */
export function setKeptInputDescription(describe: () => string): void {
  keptInput = describe;
}

function crashMessage(message: string): string {
  const kept = keptInput();
  return `${message}. ${kept.charAt(0).toUpperCase()}${kept.slice(1)}; the next change starts a fresh worker.`;
}

/** Uses `next` as the worker client (tests pass a stub); null goes back to the real worker, created on demand. */
export function setExplainClient(next: ExplainClient | null): void {
  unsubscribeCrash?.();
  unsubscribeCrash = null;
  client = next;
  if (next) subscribe(next);
}

function subscribe(c: ExplainClient): void {
  unsubscribeCrash = c.onCrash((error) => {
    cancelPending();
    useExplainStore.setState({ status: 'idle', error: crashMessage(error.message), canRetry: false, errorIsInput: false });
  });
}

function getClient(): ExplainClient {
  if (!client) {
    client = createExplainClient();
    subscribe(client);
  }
  return client;
}

/** The Explain worker's client (created on demand), shared by the other Explain views (filters, model catalogue, photos). */
export const explainClient = (): ExplainClient => getClient();

/** The Explain worker's tf.memory() and model load time (soak tests, benchmarks); null when no worker runs. */
export async function explainWorkerMemory(): Promise<WorkerMemory | null> {
  return (await client?.memory?.()) ?? null;
}

/** The Explain worker's test-only fault hooks (window.__dreamlift.faults); null before its client exists. */
export function explainWorkerFaults(): WorkerFaultHooks | null {
  return client?.faults ?? null;
}

/**
 * An uploaded picture → clean ink (engine uploadToInk), in the Explain worker so a photo's clean-up never
 * blocks the main thread; in place when the client has no worker (test stand-ins). `gray01` may be transferred.
 */
export async function cleanUploadInk(gray01: Float32Array, width: number, height: number): Promise<UploadInk> {
  const c = getClient();
  return c.cleanUpload ? c.cleanUpload(gray01, width, height) : uploadToInk(gray01, width, height);
}

/** What the user sees for a failure; AbortError never gets here. */
export function describeError(e: unknown): string {
  const error = e instanceof Error ? e : new Error(String(e));
  switch (error.name) {
    case 'WorkerCrashedError':
      return crashMessage(error.message);
    case 'DeviceLostError':
      return `${error.message}. Switching to the next backend; ${keptInput()}.`;
    case 'ModelLoadError':
    case 'BackendUnavailableError':
    case 'BadImageError':
    case 'EmptyInputError':
    case 'BadRequestError':
      return error.message;
    default:
      return `Explaining failed: ${error.message || error.name}`;
  }
}

function isModelLoadError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ModelLoadError';
}

function referenceSpec(choice: ReferenceChoice, custom: Float32Array | null): ReferenceSpec {
  switch (choice) {
    case 'black':
      return { kind: 'black' };
    case 'grey':
      return { kind: 'grey', value: REFERENCE_GREY };
    case 'blurred':
      return { kind: 'blurred', sigma: REFERENCE_BLUR_SIGMA };
    case 'custom':
      return custom ? { kind: 'custom', pixels01: custom } : { kind: 'black' };
  }
}

/** The worker request for the current settings. */
export function requestParams(settings: ExplainSettings, customReference: Float32Array | null): ExplainParams {
  return {
    rule: settings.rule,
    target: settings.target,
    // "t rather than t" is zero everywhere and explains nothing; the controls prevent it, this guards it.
    contrast: settings.contrast !== null && settings.contrast === settings.target ? null : settings.contrast,
    softmaxNormalize: settings.softmaxNormalize,
    reference: referenceSpec(settings.reference, customReference),
  };
}

function reportBackend(info: BackendInfo): void {
  const runtime = useRuntimeStore.getState();
  const known = runtime.backends.explain;
  if (!known || known.name !== info.name || known.fallbackReason !== info.fallbackReason) runtime.reportBackend('explain', info);
}

function cancelPending(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  isPending = false;
  inflight?.controller.abort();
  inflight = null;
}

/** What, besides the pixels, decides a result (the view does not). */
function settingsKey(settings: ExplainSettings): string {
  const { view: _view, ...rest } = settings;
  return JSON.stringify({ ...rest, custom: rest.reference === 'custom' ? customReferenceVersion : null });
}

/** The data part of the state at start (and after a reset). */
const INITIAL_DATA = {
  pixels: null,
  customReference: null,
  settings: DEFAULT_SETTINGS,
  result: null,
  resultInput: null,
  status: 'idle',
  error: null,
  errorIsInput: false,
  canRetry: false,
  notDigitWarning: null,
} satisfies Partial<ExplainState>;

export const useExplainStore = create<ExplainState>()((set, get) => ({
  ...INITIAL_DATA,

  setPixels: (pixels01) => {
    if (pixels01 === null) {
      get().clearInput();
      return;
    }
    // New ink from the user replaces a message about an earlier file.
    set((s) => ({ pixels: pixels01, ...(s.errorIsInput ? { error: null, errorIsInput: false } : {}) }));
    // Throttle with a trailing run: while drawing continues a request goes out every EXPLAIN_DEBOUNCE_MS.
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        void get().explainNow();
      }, EXPLAIN_DEBOUNCE_MS);
    }
  },

  updateSettings: (changes) => {
    const settings = { ...get().settings, ...changes };
    if (settings.contrast !== null && settings.contrast === settings.target) settings.contrast = null;
    const isViewOnly = Object.keys(changes).every((k) => k === 'view');
    set({ settings });
    if (!isViewOnly && get().pixels) void get().explainNow();
  },

  captureReference: () => {
    const { pixels } = get();
    if (!pixels) {
      set({ error: 'Draw something first: the current drawing becomes the reference.', errorIsInput: true });
      return;
    }
    customReferenceVersion++;
    set({ customReference: pixels.slice() });
    get().updateSettings({ reference: 'custom' });
  },

  clearInput: () => {
    cancelPending();
    set({ pixels: null, result: null, resultInput: null, status: 'idle', error: null, canRetry: false, errorIsInput: false, notDigitWarning: null });
  },

  setNotDigitWarning: (message) => set({ notDigitWarning: message }),
  showError: (message) => set({ error: message, canRetry: false, errorIsInput: true }),
  dismissError: () => set({ error: null, canRetry: false, errorIsInput: false }),
  retry: () => {
    set({ error: null, canRetry: false, errorIsInput: false });
    if (get().pixels) void get().explainNow();
    else void get().warmUp();
  },

  warmUp: async () => {
    try {
      reportBackend(await getClient().init(useRuntimeStore.getState().preference));
    } catch (e) {
      if (!isAbortError(e)) set({ error: describeError(e), canRetry: isModelLoadError(e), errorIsInput: false });
    }
  },

  explainNow: async () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const { pixels, settings, customReference } = get();
    if (!pixels) {
      cancelPending();
      return;
    }
    const key = settingsKey(settings);
    if (inflight) {
      if (inflight.settingsKey !== key) inflight.controller.abort();
      isPending = true;
      return;
    }
    const mine = new AbortController();
    inflight = { controller: mine, settingsKey: key };
    set({ status: 'running' });
    const preference = useRuntimeStore.getState().preference;
    try {
      const c = getClient();
      reportBackend(await c.init(preference));
      if (mine.signal.aborted) return;
      const result = await c.explain(pixels, requestParams(settings, customReference), { signal: mine.signal, preference });
      // A result clears a computing error (crash, model load) but not a message about a file the user
      // chose, which stays until dismissed or replaced: a late result must not hide it.
      if (!mine.signal.aborted) set((s) => ({ result, resultInput: pixels, ...(s.errorIsInput ? {} : { error: null, canRetry: false }) }));
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) {
        set({ error: describeError(e), canRetry: isModelLoadError(e), errorIsInput: false });
        // The client has already ended the worker; run again at once on the next backend.
        if (isDeviceLostError(e)) isPending = true;
      }
    } finally {
      if (inflight?.controller === mine) inflight = null;
      if (isPending && inflight === null) {
        isPending = false;
        void get().explainNow();
      } else if (inflight === null) {
        set({ status: 'idle' });
      }
    }
  },
}));

/** After a lost GPU device: a fresh worker tries WebGPU again, and the current drawing is explained on it. */
export async function retryExplainWebGpu(): Promise<void> {
  if (!client?.retryGpu) return;
  cancelPending();
  client.retryGpu();
  useExplainStore.setState({ status: 'idle' });
  await useExplainStore.getState().warmUp();
  if (useExplainStore.getState().pixels) await useExplainStore.getState().explainNow();
}

/** Back to the initial state with no job pending (tests; never during a session). */
export function resetExplainStore(): void {
  cancelPending();
  useExplainStore.setState(INITIAL_DATA);
}
