/**
 * State of Explain on a photo model: the photo (RGBA bytes, plain data), the
 * settings, the heatmap view, the latest result. Latest wins: a new photo, a
 * new setting, another model or new input settings abort the running request
 * (its worker job is cancelled through the client's AbortSignal) and its
 * result is never shown. The photo is preprocessed in the worker (engine),
 * never here.
 */
import { create } from 'zustand';
import type { PhotoReferenceKind, RgbaImage } from '../engine/image/photo-preprocess';
import type { ExplainRule, PhotoExplainResult } from '../workers/explain-protocol';
import { isAbortError } from '../workers/worker-handle';
import { describeError, explainClient, setKeptInputDescription, useExplainStore } from './explain-store';
import { MNIST_SPEC, selectedModel, useModelsStore, type ModelSpec } from './models-store';
import { useRuntimeStore } from './runtime-store';

export interface PhotoSettings {
  rule: ExplainRule;
  target: number | null;
  contrast: number | null;
  softmaxNormalize: boolean;
  reference: PhotoReferenceKind;
}

export interface PhotoView {
  /** Heatmap opacity over the photo, 0..1. */
  opacity: number;
  /** Show only the positive contributions. */
  isPositiveOnly: boolean;
}

export interface PhotoExplainState {
  photo: RgbaImage | null;
  settings: PhotoSettings;
  view: PhotoView;
  result: PhotoExplainResult | null;
  status: 'idle' | 'running';
  setPhoto: (photo: RgbaImage) => void;
  updateSettings: (changes: Partial<PhotoSettings>) => void;
  setView: (changes: Partial<PhotoView>) => void;
  explainNow: () => Promise<void>;
}

export const DEFAULT_PHOTO_SETTINGS: PhotoSettings = { rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: 'black' };

let inflight: AbortController | null = null;

export const usePhotoExplainStore = create<PhotoExplainState>()((set, get) => ({
  photo: null,
  settings: DEFAULT_PHOTO_SETTINGS,
  view: { opacity: 0.7, isPositiveOnly: false },
  result: null,
  status: 'idle',

  setPhoto: (photo) => {
    set({ photo });
    void get().explainNow();
  },

  updateSettings: (changes) => {
    const settings = { ...get().settings, ...changes };
    if (settings.contrast !== null && settings.contrast === settings.target) settings.contrast = null;
    set({ settings });
    void get().explainNow();
  },

  setView: (changes) => set((s) => ({ view: { ...s.view, ...changes } })),

  explainNow: async () => {
    inflight?.abort();
    inflight = null;
    const { photo, settings } = get();
    const model: ModelSpec = selectedModel(useModelsStore.getState());
    if (!photo || model.id === MNIST_SPEC.id) {
      set({ status: 'idle' });
      return;
    }
    const mine = new AbortController();
    inflight = mine;
    set({ status: 'running' });
    try {
      const client = explainClient();
      if (!client.explainPhoto) return;
      const preference = useRuntimeStore.getState().preference;
      const result = await client.explainPhoto(model.id, photo, { input: model.input, ...settings }, { signal: mine.signal, preference });
      if (!mine.signal.aborted) {
        set({ result });
        const explain = useExplainStore.getState();
        if (explain.error && !explain.errorIsInput) explain.dismissError();
      }
    } catch (e) {
      if (!mine.signal.aborted && !isAbortError(e)) useExplainStore.setState({ error: describeError(e), errorIsInput: false, canRetry: false });
    } finally {
      if (inflight === mine) {
        inflight = null;
        set({ status: 'idle' });
      }
    }
  },
}));

// Another model, or new input settings for this one: the old result and class choices no longer apply.
useModelsStore.subscribe((state, previous) => {
  const now = selectedModel(state);
  const before = selectedModel(previous);
  if (now === before) return;
  const isOtherModel = now.id !== before.id;
  usePhotoExplainStore.setState((s) => ({
    ...(isOtherModel ? { result: null, settings: { ...s.settings, target: null, contrast: null } } : {}),
  }));
  void usePhotoExplainStore.getState().explainNow();
});

// Another backend chosen: explain the photo again there.
useRuntimeStore.subscribe((state, previous) => {
  if (state.preference !== previous.preference && usePhotoExplainStore.getState().photo) void usePhotoExplainStore.getState().explainNow();
});

/** What a worker failure leaves the user: the drawing on the digit model; the photo, its result and the model's settings on a photo model. */
export function keptInputDescription(): string {
  const model = selectedModel(useModelsStore.getState());
  if (model.id === MNIST_SPEC.id) return 'your drawing is kept';
  const { photo, result } = usePhotoExplainStore.getState();
  if (!photo) return `the model ${model.name} and its input settings are kept`;
  return `your photo${result ? ', its last explanation' : ''} and the model ${model.name} with its input settings are kept`;
}
setKeptInputDescription(keptInputDescription);
