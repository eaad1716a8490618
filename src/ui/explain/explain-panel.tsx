import { useEffect, useRef } from 'react';
import { useExplainStore } from '../../state/explain-store';
import { useModelsStore } from '../../state/models-store';
import { MNIST_MODEL_ID } from '../../workers/explain-protocol';
import { ModelBar } from '../models/model-bar';
import { PhotoExplain } from '../models/photo-explain';
import { useRuntimeStore } from '../../state/runtime-store';
import { ImageDropZone } from '../common/image-drop-zone';
import { ClassGrid } from './class-grid';
import { DrawCanvas, type DrawingSurface } from './draw-canvas';
import { ErrorBanner } from './error-banner';
import { ExplainControls } from './explain-controls';
import { FiltersDecided } from './filters-decided';
import { Heatmap, HeatmapTitle } from './heatmap';
import { ModelInputPreview } from './model-input-preview';
import { NotDigitWarning } from './not-digit-warning';
import { Prediction } from './prediction';
import { ProbabilityBars } from './probability-bars';
import { ReferenceSameNotice } from './reference-thumb';
import { ResultStrip } from './result-strip';
import { SumReadout } from './sum-readout';
import { usePanelVisible } from './use-panel-visible';
import { useUpload } from './use-upload';
import './explain.css';

/**
 * The Explain panel: draw or upload a digit; the classifier predicts it live
 * and DeepLIFT shows which pixels raised or lowered the chosen output.
 */
export function ExplainPanel() {
  const rootRef = useRef<HTMLDivElement>(null);
  const surface = useRef<DrawingSurface>(null);
  const isVisible = usePanelVisible(rootRef);
  const onFile = useUpload(surface);
  const preference = useRuntimeStore((s) => s.preference);
  const warmUp = useExplainStore((s) => s.warmUp);
  const explainNow = useExplainStore((s) => s.explainNow);
  const setNotDigitWarning = useExplainStore((s) => s.setNotDigitWarning);
  const isPhotoModel = useModelsStore((s) => s.selectedId !== MNIST_MODEL_ID);

  // Start the worker early (the badge shows its backend); rerun on a new backend preference.
  useEffect(() => {
    void warmUp();
    if (useExplainStore.getState().pixels) void explainNow();
  }, [preference, warmUp, explainNow]);

  return (
    <div className="explain" ref={rootRef}>
      <ErrorBanner />
      <ModelBar />
      {isPhotoModel ? <PhotoExplain isActive={isVisible} /> : <>
      <section className="card explain-card explain-settings" aria-labelledby="explain-settings-title">
        <h2 id="explain-settings-title" className="visually-hidden">Explanation settings</h2>
        <ExplainControls />
      </section>
      <ResultStrip />
      <div className="explain-grid">
        <section className="card explain-card explain-draw" aria-labelledby="explain-draw-title">
          <h2 id="explain-draw-title">Draw a digit</h2>
          {/* A new stroke makes the input the user's own drawing again: a warning about an uploaded picture goes. */}
          <div className="draw-row" onPointerDown={() => setNotDigitWarning(null)}>
            <DrawCanvas ref={surface} isActive={isVisible} />
          </div>
          <ImageDropZone onFile={(file) => void onFile(file)} testId="explain-upload" label="Upload an image" isActive={isVisible} />
        </section>

        <section className="card explain-card explain-model" aria-labelledby="explain-model-title">
          <h2 id="explain-model-title">The model</h2>
          <div className="model-top">
            <ModelInputPreview />
            <Prediction />
          </div>
          <NotDigitWarning />
          <ProbabilityBars />
        </section>

        <section className="card explain-card explain-map" aria-labelledby="explain-map-title">
          <HeatmapTitle id="explain-map-title" />
          <Heatmap />
          <ReferenceSameNotice />
          <SumReadout />
        </section>
      </div>

      <section className="card explain-card explain-classes" aria-labelledby="explain-classes-title">
        <h2 id="explain-classes-title">All ten classes</h2>
        <p className="muted section-note">One batched pass, one shared scale. Pick a class to explain it.</p>
        <ClassGrid />
      </section>
      <FiltersDecided />
      </>}
    </div>
  );
}
