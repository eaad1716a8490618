import { useEffect, useRef } from 'react';
import { classLabel } from '../../engine/models/model-spec';
import { selectedModel, useModelsStore } from '../../state/models-store';
import { usePhotoExplainStore } from '../../state/photo-explain-store';
import { drawRgba, get2d } from '../explain/canvas-utils';
import { formatPercent } from '../explain/probability-bars';

/** Canvas side for model inputs: a whole multiple of the input size, about 224 px or more. */
export function displayScale(height: number, width: number): number {
  return Math.max(1, Math.ceil(224 / Math.max(height, width)));
}

/** Exactly the tensor the model sees (scaled back to pixels), crisp. */
export function ModelSees() {
  const result = usePhotoExplainStore((s) => s.result);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = get2d(ref.current);
    if (!ctx || !result) return;
    drawRgba(ctx, Uint8ClampedArray.from(result.seen), result.width, result.height);
  }, [result]);
  if (!result) return null;
  const k = displayScale(result.height, result.width);
  return (
    <figure className="model-input">
      <canvas ref={ref} width={result.width * k} height={result.height * k} className="photo-canvas" role="img" aria-label="The image the model sees" data-testid="model-sees" />
      <figcaption className="muted">
        What the model sees ({result.height} × {result.width})
      </figcaption>
    </figure>
  );
}

/** The top-1 label (`prediction`) and the five most probable classes with their probabilities (`probabilities`). */
export function TopPredictions() {
  const spec = useModelsStore(selectedModel);
  const result = usePhotoExplainStore((s) => s.result);
  const isRunning = usePhotoExplainStore((s) => s.status === 'running');
  if (!result) return <p className="muted placeholder">{isRunning ? 'Classifying…' : 'The top-5 classes appear here.'}</p>;
  const best = result.top[0];
  return (
    <div>
      <div className="prediction" aria-live="polite">
        <span className="prediction-label muted">Prediction</span>
        <span className="prediction-digit photo-prediction" data-testid="prediction">
          {classLabel(spec.labels, result.predicted)}
        </span>
        <span className="prediction-confidence muted">
          {best ? `${formatPercent(best.probability)} sure` : ''}
          {isRunning ? <span className="spinner" role="status" aria-label="updating" /> : null}
        </span>
      </div>
      <ol className="prob-bars top5" data-testid="probabilities" aria-label="The five most probable classes">
        {result.top.map(({ index, probability }) => (
          <li key={index} className={`prob-row ${index === result.predicted ? 'is-predicted' : ''} ${index === result.target ? 'is-target' : ''}`}>
            <span className="prob-digit" title={classLabel(spec.labels, index)}>{classLabel(spec.labels, index)}</span>
            <span className="prob-track" aria-hidden="true">
              <span className="prob-fill" style={{ width: `${Math.max(0, Math.min(1, probability)) * 100}%` }} />
            </span>
            <span className="prob-value">{formatPercent(probability)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
