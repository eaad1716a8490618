import { useEffect } from 'react';
import { symmetricScale } from '../../engine/image/colormap';
import { MNIST_SIDE } from '../../engine/image/mnist-preprocess';
import { classLabel } from '../../engine/models/model-spec';
import { requestParams, useExplainStore } from '../../state/explain-store';
import { useFiltersStore } from '../../state/filters-store';
import { selectedModel, useModelsStore } from '../../state/models-store';
import { usePhotoExplainStore } from '../../state/photo-explain-store';
import { ClassMap } from './class-grid';
import { FilterBars } from './filter-bars';
import { HeatmapLegend } from './heatmap-legend';
import { formatSumReadout } from './sum-readout';
import './filters-decided.css';

/** Scores the chosen layer whenever a new explanation lands or the layer changes. */
function useFilterScores(): void {
  const result = useExplainStore((s) => s.result);
  const input = useExplainStore((s) => s.resultInput);
  const layer = useFiltersStore((s) => s.layer);
  const loadLayers = useFiltersStore((s) => s.loadLayers);
  const score = useFiltersStore((s) => s.score);
  useEffect(() => {
    if (result) void loadLayers();
  }, [result, loadLayers]);
  useEffect(() => {
    if (!result || !input || !layer) return;
    const { settings, customReference } = useExplainStore.getState();
    // The class the panel explains (the predicted one when the setting says so), so Δt is the panel's Δt.
    void score(input, { ...requestParams(settings, customReference), target: result.target, contrast: result.contrast });
  }, [result, input, layer, score]);
}

/** The same for the selected photo model: its layers at its input size, scored for the photo panel's explained class. */
function usePhotoFilterScores(): void {
  const result = usePhotoExplainStore((s) => s.result);
  const photo = usePhotoExplainStore((s) => s.photo);
  const model = useModelsStore((s) => selectedModel(s));
  const layer = useFiltersStore((s) => s.layer);
  const layersKey = useFiltersStore((s) => s.layersKey);
  const loadPhotoLayers = useFiltersStore((s) => s.loadPhotoLayers);
  const scorePhoto = useFiltersStore((s) => s.scorePhoto);
  const key = `${model.id}@${model.input.height}x${model.input.width}`;
  useEffect(() => {
    // The result of this model at this size (the photo store drops other models' results).
    if (result && result.modelId === model.id) void loadPhotoLayers(model.id, model.input);
  }, [result, model, loadPhotoLayers]);
  useEffect(() => {
    if (!result || !photo || !layer || layersKey !== key || result.modelId !== model.id) return;
    if (result.height !== model.input.height || result.width !== model.input.width) return;
    const { settings } = usePhotoExplainStore.getState();
    void scorePhoto(model.id, photo, { input: model.input, ...settings, target: result.target, contrast: result.contrast });
  }, [result, photo, layer, layersKey, key, model, scorePhoto]);
}

/**
 * "Which filters decided": how much each channel of a chosen conv layer
 * contributed to the explained class (DeepLIFT scores of the hidden layer,
 * summing to Δt), and where in the input the top channels contributed.
 */
export function FiltersDecided() {
  useFilterScores();
  const hasInput = useExplainStore((s) => s.result !== null);
  return <FiltersCard hasInput={hasInput} labels={null} placeholder="Draw a digit to see which hidden filters pushed the model toward its answer." />;
}

/** "Which filters decided" on the selected photo model, for the photo the panel explains. */
export function PhotoFiltersDecided() {
  usePhotoFilterScores();
  const hasInput = usePhotoExplainStore((s) => s.result !== null);
  const labels = useModelsStore((s) => selectedModel(s).labels);
  return <FiltersCard hasInput={hasInput} labels={labels} placeholder="Choose a photo to see which hidden filters pushed the model toward its answer." />;
}

function FiltersCard({ hasInput, labels, placeholder }: { hasInput: boolean; labels: readonly string[] | null; placeholder: string }) {
  const className = (k: number) => classLabel(labels, k);
  const layers = useFiltersStore((s) => s.layers);
  const layer = useFiltersStore((s) => s.layer);
  const setLayer = useFiltersStore((s) => s.setLayer);
  const scores = useFiltersStore((s) => s.result);
  const status = useFiltersStore((s) => s.status);
  const error = useFiltersStore((s) => s.error);

  const maxAbs = scores ? symmetricScale(...scores.topInputMaps) : 0;
  // A photo model's maps are of its input size; the digit model's are 28 × 28.
  const mapHeight = scores && 'height' in scores ? scores.height : MNIST_SIDE;
  const mapWidth = scores && 'width' in scores ? scores.width : MNIST_SIDE;
  return (
    <section className="card explain-card explain-filters" aria-labelledby="explain-filters-title">
      <h2 id="explain-filters-title">Which filters decided</h2>
      {hasInput ? body() : <p className="muted placeholder">{placeholder}</p>}
    </section>
  );

  function body() {
    return (
    <div className="filters-decided" aria-busy={status === 'running'}>
      <label className="filters-layer">
        Hidden layer{' '}
        <select data-testid="filters-layer-select" value={layer ?? ''} onChange={(e) => setLayer(e.target.value)} disabled={layers.length === 0}>
          {layers.map((l) => (
            <option key={l.name} value={l.name}>{`${l.name} (${l.shape[2]} filters, ${l.shape[0]}×${l.shape[1]})`}</option>
          ))}
        </select>
      </label>
      {error ? <p className="filters-error" role="alert" data-testid="filters-error">{error}</p> : null}
      {scores ? (
        <>
          <FilterBars contributions={scores.channelContributions} order={scores.order} layer={scores.layer} />
          <output className="sum-readout" data-testid="filters-sum-readout">
            {formatSumReadout(scores.channelContributions.reduce((a, b) => a + b, 0), scores.delta)}
          </output>
          <p className="muted section-note">
            Σ over the filters of {scores.layer} of their contributions to {className(scores.target)}
            {scores.contrast !== null ? ` rather than ${className(scores.contrast)}` : ''}
            {scores.isCut ? '; every path to the output passes this layer, so they add up to Δt.' : '; other paths bypass this layer, so they carry only part of Δt.'}
          </p>
          <h3 className="filters-maps-title">Where the most decisive filters contributed (largest |C|, for or against)</h3>
          <ul className="filter-maps" aria-label="Input maps of the filters that mattered most">
            {scores.topChannels.map((c, k) => (
              <li key={c} className="filter-map-cell" data-testid="filter-map" aria-label={`filter ${c}: C = ${scores.channelContributions[c]!.toFixed(3)}`}>
                <ClassMap map={scores.topInputMaps[k]!} maxAbs={maxAbs} height={mapHeight} width={mapWidth} />
                <span className="class-cell-label"><strong>#{c}</strong> <span className="muted">C {scores.channelContributions[c]!.toFixed(2)}</span></span>
              </li>
            ))}
          </ul>
          <HeatmapLegend maxAbs={maxAbs} compact />
        </>
      ) : status === 'running' ? <p className="muted">Scoring the filters…</p> : null}
    </div>
    );
  }
}
