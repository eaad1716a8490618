/**
 * "Which filters decided": the DeepLIFT scores of one hidden layer's
 * channels for the class the Explain panel explains. Plain data only; the
 * worker client is the Explain store's, the in-flight controller lives here
 * outside the state. A new request aborts the one in flight.
 */
import { create } from 'zustand';
import type { ExplainParams, FiltersResult, HiddenLayerInfo } from '../workers/explain-protocol';
import { isAbortError } from '../workers/worker-handle';
import { describeError, explainClient } from './explain-store';
import { useRuntimeStore } from './runtime-store';

/** How many of the largest channels get a map of where in the input they contributed. */
export const TOP_FILTER_MAPS = 4;

export interface FiltersState {
  /** The classifier's conv layers; empty until loaded. */
  layers: HiddenLayerInfo[];
  /** The chosen layer; null until the layers are known (then the last conv layer, closest to the decision). */
  layer: string | null;
  status: 'idle' | 'running';
  /** The latest scores (kept when a later request fails). */
  result: FiltersResult | null;
  error: string | null;
  /** Fetches the layer list once (again after a failure). */
  loadLayers: () => Promise<void>;
  setLayer: (name: string) => void;
  /** Scores the chosen layer for `pixels01` (Float32Array(784) in [0, 1]) with `params`, aborting any run in flight. */
  score: (pixels01: Float32Array, params: ExplainParams) => Promise<void>;
}

let controller: AbortController | null = null;
let layersRequest: Promise<void> | null = null;

const INITIAL = { layers: [], layer: null, status: 'idle', result: null, error: null } satisfies Partial<FiltersState>;

export const useFiltersStore = create<FiltersState>()((set, get) => ({
  ...INITIAL,

  loadLayers: () => {
    if (!layersRequest) {
      const client = explainClient();
      layersRequest = (async () => {
        try {
          // A stand-in client without the method (tests of other views): nothing to score, nothing to report.
          if (!client.layers) return;
          const layers = await client.layers({ preference: useRuntimeStore.getState().preference });
          const layer = get().layer ?? layers.at(-1)?.name ?? null;
          set({ layers, layer, ...(layers.length === 0 ? { error: 'The model has no convolutional layer to score.' } : {}) });
        } catch (e) {
          layersRequest = null;
          if (!isAbortError(e)) set({ error: describeError(e) });
        }
      })();
    }
    return layersRequest;
  },

  setLayer: (name) => set({ layer: name }),

  score: async (pixels01, params) => {
    const { layer } = get();
    if (!layer) return;
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    set({ status: 'running' });
    try {
      const client = explainClient();
      if (!client.filters) throw new Error('This worker cannot score filters');
      const result = await client.filters(pixels01, { ...params, layer, topChannels: TOP_FILTER_MAPS }, {
        signal: mine.signal, preference: useRuntimeStore.getState().preference,
      });
      if (!mine.signal.aborted) set({ result, error: null });
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) set({ error: describeError(e) });
    } finally {
      if (controller === mine) {
        controller = null;
        set({ status: 'idle' });
      }
    }
  },
}));

/** Back to the initial state, nothing in flight (tests). */
export function resetFiltersStore(): void {
  controller?.abort();
  controller = null;
  layersRequest = null;
  useFiltersStore.setState(INITIAL);
}
