import { useEffect } from 'react';
import { useCompareStore } from '../../state/compare-store';
import { requestParams, useExplainStore } from '../../state/explain-store';
import { MNIST_SPEC, selectedModel, useModelsStore } from '../../state/models-store';
import { usePhotoExplainStore } from '../../state/photo-explain-store';
import { CompareView } from './compare-view';
import { EraseView } from './erase-view';
import { PhotoCompareView } from './photo-compare-view';
import './compare.css';

/**
 * The Compare tab: the Explain panel's current digit explained by every
 * attribution method, and the Erase-to-convert view. Work starts only
 * while the tab is shown, and again when the digit or the settings change.
 */
export function ComparePanel({ isActive }: { isActive: boolean }) {
  const isPhotoModel = useModelsStore((s) => selectedModel(s).id !== MNIST_SPEC.id);
  return isPhotoModel ? <PhotoComparePanel isActive={isActive} /> : <DigitComparePanel isActive={isActive} />;
}

/** The photo panel's photo on the selected photo model, by every method, while the tab is shown. */
function PhotoComparePanel({ isActive }: { isActive: boolean }) {
  const photo = usePhotoExplainStore((s) => s.photo);
  const settings = usePhotoExplainStore((s) => s.settings);
  const spec = useModelsStore((s) => selectedModel(s));
  const runComparePhoto = useCompareStore((s) => s.runComparePhoto);
  const steps = useCompareStore((s) => s.settings.steps);
  useEffect(() => {
    if (!isActive || !photo) return;
    void runComparePhoto(spec.id, photo, { input: spec.input, target: settings.target, contrast: settings.contrast, reference: settings.reference });
  }, [isActive, photo, spec, settings.target, settings.contrast, settings.reference, steps, runComparePhoto]);
  return (
    <div className="compare">
      <CompareError />
      <PhotoCompareView />
    </div>
  );
}

function CompareError() {
  const error = useCompareStore((s) => s.error);
  const dismissError = useCompareStore((s) => s.dismissError);
  return error ? (
    <div className="error compare-error" role="alert" data-testid="error-message">
      <span>{error}</span>
      <button type="button" className="error-dismiss" aria-label="Dismiss" onClick={dismissError}>×</button>
    </div>
  ) : null;
}

function DigitComparePanel({ isActive }: { isActive: boolean }) {
  const pixels = useExplainStore((s) => s.pixels);
  const explainSettings = useExplainStore((s) => s.settings);
  const customReference = useExplainStore((s) => s.customReference);
  const original = useCompareStore((s) => s.settings.original);
  const target = useCompareStore((s) => s.settings.target);
  const runCompare = useCompareStore((s) => s.runCompare);
  const runErase = useCompareStore((s) => s.runErase);
  const followPrediction = useCompareStore((s) => s.followPrediction);
  const probabilities = useExplainStore((s) => s.result?.probabilities ?? null);
  // What decides the maps besides the pixels (not the view or the DeepLIFT rule of the Explain panel).
  const { target: explainTarget, contrast, reference } = requestParams(explainSettings, customReference);
  const referenceKind = reference.kind;

  useEffect(() => {
    if (!isActive || !pixels) return;
    const params = requestParams(useExplainStore.getState().settings, customReference);
    void runCompare(pixels, { target: params.target, contrast: params.contrast, reference: params.reference });
  }, [isActive, pixels, explainTarget, contrast, referenceKind, customReference, runCompare]);

  // Erase to convert starts from the model's reading (predicted → most likely other class) until the user picks a pair.
  useEffect(() => {
    if (probabilities) followPrediction(probabilities);
  }, [probabilities, followPrediction]);

  useEffect(() => {
    if (!isActive || !pixels || original === target) return;
    void runErase(pixels);
  }, [isActive, pixels, original, target, runErase]);

  return (
    <div className="compare">
      <CompareError />
      <CompareView />
      <EraseView />
    </div>
  );
}
