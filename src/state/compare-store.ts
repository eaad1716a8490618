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
import type { ExplainParams } from '../workers/explain-protocol';
import { isAbortError } from '../workers/worker-handle';
import { describeError } from './explain-store';
import { useRuntimeStore } from './runtime-store';

export type ScaleMode = 'shared' | 'per-map';

export interface CompareSettings {
  /** One colour scale for all maps, or one per map. */
  scale: ScaleMode;
  /** Erase to convert: the class to convert from and to. */
  original: number;
  target: number;
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
  erase: EraseResult | null;
  eraseInput: Float32Array | null;
  isComparing: boolean;
  isErasing: boolean;
  error: string | null;
  updateSettings: (changes: Partial<CompareSettings>) => void;
  /** Runs every method on `pixels01` with the Explain panel's target/contrast/reference. */
  runCompare: (pixels01: Float32Array, params: Pick<ExplainParams, 'target' | 'contrast' | 'reference'>) => Promise<void>;
  /** Computes the erasure curves of `pixels01` for the current original → target. */
  runErase: (pixels01: Float32Array) => Promise<void>;
  dismissError: () => void;
}

export const DEFAULT_COMPARE_SETTINGS: CompareSettings = {
  scale: 'shared', original: 8, target: 3, erased: 40, steps: 50, references: 10,
};

export const COMPARE_METHODS: MethodName[] = [...METHOD_NAMES];

let client: CompareClient | null = null;
let compareController: AbortController | null = null;
let eraseController: AbortController | null = null;
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
  erase: null,
  eraseInput: null,
  isComparing: false,
  isErasing: false,
  error: null,

  updateSettings: (changes) => {
    const settings = { ...get().settings, ...changes };
    settings.erased = Math.max(0, Math.min(MAX_ERASED_PIXELS, Math.round(settings.erased)));
    set({ settings });
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
      if (!mine.signal.aborted) set({ compare: result, compareInput: pixels01, ...succeeded('compare') });
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) set(failed('compare', e));
    } finally {
      if (compareController === mine) {
        compareController = null;
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
  compareController = null;
  eraseController = null;
  errorSource = null;
  useCompareStore.setState({
    settings: DEFAULT_COMPARE_SETTINGS, compare: null, compareInput: null, erase: null, eraseInput: null,
    isComparing: false, isErasing: false, error: null,
  });
}
