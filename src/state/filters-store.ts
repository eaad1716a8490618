/**
 * "Which filters decided": the DeepLIFT scores of one hidden layer's
 * channels for the class the Explain panel explains. Plain data only; the
 * worker client is the Explain store's, the in-flight controller lives here
 * outside the state. A new request aborts the one in flight.
 */
import { create } from 'zustand';
import type { RgbaImage } from '../engine/image/photo-preprocess';
import type { InputSpec } from '../engine/models/model-spec';
import type { ExplainParams, FiltersResult, HiddenLayerInfo, PhotoExplainParams, PhotoFiltersResult } from '../workers/explain-protocol';
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
  /** The latest scores (kept when a later request fails); a photo model's carry the map size. */
  result: FiltersResult | PhotoFiltersResult | null;
  error: string | null;
  /** Which model (and input size) the layers are of: 'mnist', or `${modelId}@${H}x${W}`. */
  layersKey: string | null;
  /** Fetches the digit model's layer list once (again after a failure). */
  loadLayers: () => Promise<void>;
  /** Fetches a photo model's layer list at its input size (once per model and size). */
  loadPhotoLayers: (modelId: string, input: InputSpec) => Promise<void>;
  setLayer: (name: string) => void;
  /** Scores the chosen layer for `pixels01` (Float32Array(784) in [0, 1]) with `params`, aborting any run in flight. */
  score: (pixels01: Float32Array, params: ExplainParams) => Promise<void>;
  /** Scores the chosen layer of photo model `modelId` for `photo` with the photo explanation's `params`. */
  scorePhoto: (modelId: string, photo: RgbaImage, params: PhotoExplainParams) => Promise<void>;
}

let controller: AbortController | null = null;
let layersRequest: { key: string; promise: Promise<void> } | null = null;

const INITIAL = { layers: [], layer: null, status: 'idle', result: null, error: null, layersKey: null } satisfies Partial<FiltersState>;

export const useFiltersStore = create<FiltersState>()((set, get) => {
  /** The layers of model `key` (cached); another model's layers, scores and errors are dropped first. */
  const fetchLayers = (key: string, request: ((preference: ReturnType<typeof useRuntimeStore.getState>['preference']) => Promise<HiddenLayerInfo[]>) | null): Promise<void> => {
    if (layersRequest?.key === key) return layersRequest.promise;
    if (get().layersKey !== key) {
      controller?.abort();
      set({ layers: [], result: null, error: null, layersKey: key });
    }
    const mine: { key: string; promise: Promise<void> } = { key, promise: Promise.resolve() };
    layersRequest = mine;
    mine.promise = (async () => {
      try {
        // A stand-in client without the method (tests of other views): nothing to score, nothing to report.
        if (!request) return;
        const layers = await request(useRuntimeStore.getState().preference);
        if (layersRequest !== mine) return;
        // The chosen layer stays when the new model has it (e.g. the same model at another size).
        const kept = get().layer;
        const layer = layers.some((l) => l.name === kept) ? kept : (layers.at(-1)?.name ?? null);
        set({ layers, layer, ...(layers.length === 0 ? { error: 'The model has no convolutional layer to score.' } : {}) });
      } catch (e) {
        if (layersRequest === mine) layersRequest = null;
        if (!isAbortError(e) && get().layersKey === key) set({ error: describeError(e) });
      }
    })();
    return mine.promise;
  };

  /** Runs one scoring request, aborting the one in flight; the result is kept only if nothing newer started. */
  const run = async (request: (signal: AbortSignal) => Promise<FiltersResult | PhotoFiltersResult>) => {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    const key = get().layersKey;
    set({ status: 'running' });
    try {
      const result = await request(mine.signal);
      if (!mine.signal.aborted && get().layersKey === key) set({ result, error: null });
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) set({ error: describeError(e) });
    } finally {
      if (controller === mine) {
        controller = null;
        set({ status: 'idle' });
      }
    }
  };

  return {
    ...INITIAL,

    loadLayers: () => {
      const client = explainClient();
      return fetchLayers('mnist', client.layers ? (preference) => client.layers!({ preference }) : null);
    },

    loadPhotoLayers: (modelId, input) => {
      const client = explainClient();
      return fetchLayers(`${modelId}@${input.height}x${input.width}`, client.photoLayers ? (preference) => client.photoLayers!(modelId, input, { preference }) : null);
    },

    setLayer: (name) => set({ layer: name }),

    score: async (pixels01, params) => {
      const { layer } = get();
      if (!layer) return;
      await run((signal) => {
        const client = explainClient();
        if (!client.filters) throw new Error('This worker cannot score filters');
        return client.filters(pixels01, { ...params, layer, topChannels: TOP_FILTER_MAPS }, { signal, preference: useRuntimeStore.getState().preference });
      });
    },

    scorePhoto: async (modelId, photo, params) => {
      const { layer } = get();
      if (!layer) return;
      await run((signal) => {
        const client = explainClient();
        if (!client.photoFilters) throw new Error('This worker cannot score filters');
        return client.photoFilters(modelId, photo, { ...params, layer, topChannels: TOP_FILTER_MAPS }, { signal, preference: useRuntimeStore.getState().preference });
      });
    },
  };
});

/** Back to the initial state, nothing in flight (tests). */
export function resetFiltersStore(): void {
  controller?.abort();
  controller = null;
  layersRequest = null;
  useFiltersStore.setState(INITIAL);
}
