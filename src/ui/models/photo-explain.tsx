import { PhotoFiltersDecided } from '../explain/filters-decided';
import { PhotoControls } from './photo-controls';
import { PhotoHeatmap } from './photo-heatmap';
import { PhotoInput } from './photo-input';
import { ModelSees, TopPredictions } from './photo-results';

/** Explain on a photo model: the photo in, the model's view and top-5, DeepLIFT's heatmap. */
export function PhotoExplain({ isActive }: { isActive: boolean }) {
  return (
    <>
      <section className="card explain-card explain-settings" aria-labelledby="photo-settings-title">
        <h2 id="photo-settings-title" className="visually-hidden">Explanation settings</h2>
        <PhotoControls />
      </section>
      <div className="explain-grid">
        <section className="card explain-card explain-draw" aria-labelledby="photo-input-title">
          <h2 id="photo-input-title">Your photo</h2>
          <PhotoInput isActive={isActive} />
        </section>
        <section className="card explain-card explain-model" aria-labelledby="photo-model-title">
          <h2 id="photo-model-title">The model</h2>
          <ModelSees />
          <TopPredictions />
        </section>
        <section className="card explain-card explain-map" aria-labelledby="photo-map-title">
          <h2 id="photo-map-title">Why: DeepLIFT contributions</h2>
          <PhotoHeatmap />
        </section>
      </div>
      <PhotoFiltersDecided />
    </>
  );
}
