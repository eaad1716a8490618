/**
 * Which models Dream can use, and Dream's reactions to the model catalogue
 * (models-store.ts): the built-in InceptionV3 plus the user's own models
 * (the built-in MNIST digit model is not offered: it lives only in the
 * Explain worker, and a 28×28 digit classifier has little to dream on a
 * photo). A restored session's user model is loaded again once the catalogue
 * is read back; a model removed from the catalogue (or missing from it after
 * a reload) sends Dream back to InceptionV3 with a notice; a changed pixel
 * scaling reloads it.
 */
import { INCEPTION_MODEL_ID } from '../workers/dream-protocol';
import { useDreamStore, type DreamModelSpec } from './dream-store';
import { useModelsStore, type ModelSpec } from './models-store';

/** The catalogue's models Dream offers (the user's own). */
export function dreamableModels(models: readonly ModelSpec[]): ModelSpec[] {
  return models.filter((m) => m.source !== 'builtin');
}

/** What Dream's store needs of a catalogue spec. */
export function dreamModelSpec(spec: ModelSpec): DreamModelSpec {
  return { id: spec.id, name: spec.name, scaling: spec.input.scaling };
}

/** Brings Dream's chosen model in line with the catalogue (once it has been read back). */
export function syncDreamModel(): void {
  const { models, isHydrated } = useModelsStore.getState();
  const { settings, userModel, chooseModel, modelGone } = useDreamStore.getState();
  if (settings.modelId === INCEPTION_MODEL_ID) return;
  const spec = dreamableModels(models).find((m) => m.id === settings.modelId);
  if (!spec) {
    // Before the catalogue is read back a restored id is simply not known yet.
    if (isHydrated) modelGone(userModel?.name ?? 'The model chosen for Dream');
    return;
  }
  if (userModel?.id !== spec.id || userModel.scaling !== spec.input.scaling) void chooseModel(dreamModelSpec(spec));
}

/** Reads the catalogue back and follows it; returns the unsubscribe function. */
export function followModelCatalogue(): () => void {
  const offModels = useModelsStore.subscribe((s, p) => {
    if (s.models !== p.models || s.isHydrated !== p.isHydrated) syncDreamModel();
  });
  const offDream = useDreamStore.subscribe((s, p) => {
    if (s.settings.modelId !== p.settings.modelId) syncDreamModel();
  });
  void useModelsStore.getState().hydrate().then(syncDreamModel, () => undefined);
  syncDreamModel();
  return () => {
    offModels();
    offDream();
  };
}
