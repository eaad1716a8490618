/**
 * State of the Compare tab: every attribution method on the Explain panel's
 * current digit (its target, contrast and reference), and the
 * Erase-to-convert curves (Shrikumar et al. 2017 §4.1 on one digit). Plain
 * data only; the worker client and in-flight controllers live outside.
 * Each kind of request is latest-wins: a new one aborts the one running.
 */
import { create } from 'zustand';
import { MAX_ERASED_PIXELS, METHOD_NAMES, type MethodName } from '../engine/attribution/method-names';
import { createCompareClient, type CompareClient } from '../workers/compare-client';
import type { CompareResult, EraseResult } from '../workers/compare-protocol';
import type { ExplainParams, PhotoCompareResult } from '../workers/explain-protocol';
import type { PhotoReferenceKind, RgbaImage } from '../engine/image/photo-preprocess';
import type { InputSpec } from '../engine/models/model-spec';
import { isAbortError } from '../workers/worker-handle';
import { referencePixels } from '../engine/image/reference';
import { describeError, explainClient } from './explain-store';
import { useRuntimeStore } from './runtime-store';

/**
 * 'shared': one robust scale for all maps (99th percentile of the non-zero |scores| pooled over them);
 * 'per-map' (default): each map its own robust scale, since gradient and guided backprop (∂t/∂x) are not in
 * the contribution methods' units (of t) and a shared scale turns one kind into solid blocks or blanks.
 */
export type ScaleMode = 'shared' | 'per-map';

export interface CompareSettings {
  /** One colour scale for all maps, or one per map. */
  scale: ScaleMode;
  /** Erase to convert: the class to convert from and to. */
  original: number;
  target: number;
  /** Whether the user picked original/target themselves (then the pair no longer follows the prediction). */
  isPairChosen: boolean;
  /** Pixels erased, 0 … 157. */
  erased: number;
  /** Integrated gradients' steps and DeepLIFT-SHAP's references. */
  steps: number;
  references: number;
}

export interface CompareState {
  settings: CompareSettings;
  compare: CompareResult | null;
  /** The digit `compare` was computed for. */
  compareInput: Float32Array | null;
  /** The reference image the methods used for `compare` (the same engine function the worker calls), [784] in [0, 1]. */
  compareReference: Float32Array | null;
  erase: EraseResult | null;
  eraseInput: Float32Array | null;
  /** Every method on the photo of a selected photo model (run in the Explain worker, where user models live). */
  photoCompare: PhotoCompareResult | null;
  isComparing: boolean;
  isErasing: boolean;
  error: string | null;
  updateSettings: (changes: Partial<CompareSettings>) => void;
  /** The user's own choice of the Erase pair: kept from now on, whatever the prediction does. */
  choosePair: (changes: Partial<Pick<CompareSettings, 'original' | 'target'>>) => void;
  /**
   * Follows the model's reading of the digit until the user chooses a pair: original = the predicted class,
   * target = the most likely other class (from `probabilities`, the Explain panel's latest result).
   */
  followPrediction: (probabilities: readonly number[]) => void;
  /** Runs every method on `pixels01` with the Explain panel's target/contrast/reference. */
  runCompare: (pixels01: Float32Array, params: Pick<ExplainParams, 'target' | 'contrast' | 'reference'>) => Promise<void>;
  /** Runs every method on `photo` on photo model `modelId` with the photo panel's target/contrast/reference. */
  runComparePhoto: (modelId: string, photo: RgbaImage, params: { input: InputSpec; target: number | null; contrast: number | null; reference: PhotoReferenceKind }) => Promise<void>;
  /** Computes the erasure curves of `pixels01` for the current original → target. */
  runErase: (pixels01: Float32Array) => Promise<void>;
  dismissError: () => void;
}

export const DEFAULT_COMPARE_SETTINGS: CompareSettings = {
  scale: 'per-map', original: 8, target: 3, isPairChosen: false, erased: 40, steps: 50, references: 10,
};

/** The predicted class and the most likely other one. */
export function topTwo(probabilities: readonly number[]): { first: number; second: number } {
  const order = probabilities.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return { first: order[0]?.[1] ?? 0, second: order[1]?.[1] ?? 1 };
}

export const COMPARE_METHODS: MethodName[] = [...METHOD_NAMES];

let client: CompareClient | null = null;
let compareController: AbortController | null = null;
let eraseController: AbortController | null = null;
let photoController: AbortController | null = null;
/** Which request the shown error came from, so the other kind's success does not hide it. */
let errorSource: 'compare' | 'erase' | 'worker' | null = null;

function failed(source: 'compare' | 'erase' | 'worker', e: unknown): Partial<CompareState> {
  errorSource = source;
  return { error: describeError(e) };
}

function succeeded(source: 'compare' | 'erase'): Partial<CompareState> {
  if (errorSource !== source) return {};
  errorSource = null;
  return { error: null };
}

/** Uses `next` as the worker client (tests pass a stub); null: the real worker, created on demand. */
export function setCompareClient(next: CompareClient | null): void {
  client = next;
}

function getClient(): CompareClient {
  if (!client) {
    client = createCompareClient();
    client.onCrash((error) => {
      compareController?.abort();
      eraseController?.abort();
      useCompareStore.setState({ isComparing: false, isErasing: false, ...failed('worker', error) });
    });
  }
  return client;
}

export const useCompareStore = create<CompareState>()((set, get) => ({
  settings: DEFAULT_COMPARE_SETTINGS,
  compare: null,
  compareInput: null,
  compareReference: null,
  erase: null,
  eraseInput: null,
  photoCompare: null,
  isComparing: false,
  isErasing: false,
  error: null,

  updateSettings: (changes) => {
    const settings = { ...get().settings, ...changes };
    settings.erased = Math.max(0, Math.min(MAX_ERASED_PIXELS, Math.round(settings.erased)));
    set({ settings });
  },

  choosePair: (changes) => get().updateSettings({ ...changes, isPairChosen: true }),

  followPrediction: (probabilities) => {
    const { settings } = get();
    if (settings.isPairChosen || probabilities.length < 2) return;
    const { first, second } = topTwo(probabilities);
    if (settings.original !== first || settings.target !== second) set({ settings: { ...settings, original: first, target: second } });
  },

  runCompare: async (pixels01, params) => {
    compareController?.abort();
    const mine = new AbortController();
    compareController = mine;
    set({ isComparing: true });
    const { steps, references } = get().settings;
    try {
      const result = await getClient().compare(pixels01, { ...params, steps, references, methods: COMPARE_METHODS }, {
        signal: mine.signal, preference: useRuntimeStore.getState().preference,
      });
      if (!mine.signal.aborted) {
        set({ compare: result, compareInput: pixels01, compareReference: referencePixels(params.reference, pixels01), ...succeeded('compare') });
      }
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) set(failed('compare', e));
    } finally {
      if (compareController === mine) {
        compareController = null;
        set({ isComparing: false });
      }
    }
  },

  runComparePhoto: async (modelId, photo, params) => {
    photoController?.abort();
    const mine = new AbortController();
    photoController = mine;
    set({ isComparing: true });
    const { steps } = get().settings;
    try {
      const c = explainClient();
      if (!c.comparePhoto) throw new Error('This worker cannot compare methods on photos');
      const result = await c.comparePhoto(modelId, photo, { ...params, steps, methods: COMPARE_METHODS }, {
        signal: mine.signal, preference: useRuntimeStore.getState().preference,
      });
      if (!mine.signal.aborted) set({ photoCompare: result, ...succeeded('compare') });
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) set(failed('compare', e));
    } finally {
      if (photoController === mine) {
        photoController = null;
        set({ isComparing: false });
      }
    }
  },

  runErase: async (pixels01) => {
    eraseController?.abort();
    const mine = new AbortController();
    eraseController = mine;
    set({ isErasing: true });
    const { original, target, steps, references } = get().settings;
    try {
      const result = await getClient().erase(pixels01, { original, target, steps, references, methods: COMPARE_METHODS }, {
        signal: mine.signal, preference: useRuntimeStore.getState().preference,
      });
      if (!mine.signal.aborted) set({ erase: result, eraseInput: pixels01, ...succeeded('erase') });
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) set(failed('erase', e));
    } finally {
      if (eraseController === mine) {
        eraseController = null;
        set({ isErasing: false });
      }
    }
  },

  dismissError: () => {
    errorSource = null;
    set({ error: null });
  },
}));

/** Back to the initial state, aborting anything in flight (tests). */
export function resetCompareStore(): void {
  compareController?.abort();
  eraseController?.abort();
  photoController?.abort();
  compareController = null;
  eraseController = null;
  photoController = null;
  errorSource = null;
  useCompareStore.setState({
    settings: DEFAULT_COMPARE_SETTINGS, compare: null, compareInput: null, compareReference: null, erase: null, eraseInput: null, photoCompare: null,
    isComparing: false, isErasing: false, error: null,
  });
}
