/**
 * The Dream panel's filter heatmap ("where does this filter fire in my
 * photo"): the chosen layer and filter of the Dream settings, DeepLIFT of
 * its mean activation over the current photo, computed in the Deep Dream
 * worker on request. Plain data only; the controller lives outside the state.
 */
import { create } from 'zustand';
import type { FilterHeatmap, HeatmapReference } from '../engine/dream/filter-heatmap';
import { isAbortError } from '../workers/worker-handle';
import { dreamClient, getPhotoBitmap, layerChannels, modelChoice, modelLayers, parseFilter, useDreamStore, userMessage } from './dream-store';

export interface HeatmapResult extends FilterHeatmap {
  layer: string;
  /** null: the whole layer. */
  channel: number | null;
  reference: HeatmapReference;
  /** The photo version it was computed for (a new photo makes it stale). */
  photoVersion: number;
  /** The model it was computed with (another model makes it stale). */
  modelId: string;
}

export interface HeatmapState {
  reference: HeatmapReference;
  status: 'idle' | 'running';
  result: HeatmapResult | null;
  error: string | null;
  setReference: (reference: HeatmapReference) => void;
  /** Computes the heatmap of the current layer and filter on the current photo (aborting one in flight). */
  run: () => Promise<void>;
  cancel: () => void;
}

let controller: AbortController | null = null;

/** The Dream panel's wording for worker-level failures; the engine's own message otherwise. */
function heatmapMessage(e: unknown): string {
  if (e instanceof Error && ['ModelLoadError', 'BackendUnavailableError', 'DeviceLostError', 'WorkerCrashedError', 'BadImageError'].includes(e.name)) return userMessage(e);
  return `The heatmap could not be computed: ${e instanceof Error ? e.message : String(e)}. Your photo and settings are kept.`;
}

const INITIAL = { reference: 'blurred', status: 'idle', result: null, error: null } satisfies Partial<HeatmapState>;

export const useHeatmapStore = create<HeatmapState>()((set, get) => ({
  ...INITIAL,

  setReference: (reference) => set({ reference }),

  run: async () => {
    const photo = getPhotoBitmap();
    const dream = useDreamStore.getState();
    const { settings, photoVersion } = dream;
    if (!photo) {
      set({ error: 'Choose a photo first: the heatmap shows where the filter fires in it.' });
      return;
    }
    const layers = modelLayers(dream);
    if (!layers) {
      set({ error: 'The chosen model is still loading: try again in a moment.' });
      return;
    }
    const { channel, error } = parseFilter(settings.filter, layerChannels(settings.layer, layers));
    if (error) {
      set({ error });
      return;
    }
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    const { reference } = get();
    set({ status: 'running', error: null });
    try {
      await useDreamStore.getState().prepare();
      const client = dreamClient();
      if (!client.filterHeatmap) throw new Error('This worker cannot compute heatmaps');
      const heatmap = await client.filterHeatmap(photo, { layer: settings.layer, channel, reference, rule: 'rescale' }, { signal: mine.signal, model: modelChoice(dream) });
      if (!mine.signal.aborted) set({ result: { ...heatmap, layer: settings.layer, channel, reference, photoVersion, modelId: settings.modelId } });
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) set({ error: heatmapMessage(e) });
    } finally {
      if (controller === mine) {
        controller = null;
        set({ status: 'idle' });
      }
    }
  },

  cancel: () => {
    controller?.abort();
    controller = null;
    set({ status: 'idle' });
  },
}));

/** Back to the initial state, nothing in flight (tests). */
export function resetHeatmapStore(): void {
  controller?.abort();
  controller = null;
  useHeatmapStore.setState(INITIAL);
}
