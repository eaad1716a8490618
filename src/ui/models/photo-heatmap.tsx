import { useEffect, useId, useRef } from 'react';
import { colorizeAttributions, symmetricScale } from '../../engine/image/colormap';
import { classLabel } from '../../engine/models/model-spec';
import { selectedModel, useModelsStore } from '../../state/models-store';
import { usePhotoExplainStore } from '../../state/photo-explain-store';
import { drawRgba, get2d } from '../explain/canvas-utils';
import { HeatmapLegend } from '../explain/heatmap-legend';
import { formatSumReadout } from '../explain/sum-readout';
import { displayScale } from './photo-results';

/** Keeps the positive contributions only (negative ones become 0). */
export function positivePart(values: Float32Array): Float32Array {
  return values.map((v) => (v > 0 ? v : 0));
}

/**
 * The contributions (summed over colour channels) over the image the model
 * saw, on the diverging map with a symmetric scale ±max|C|; an opacity slider
 * and a "positive only" view. Below: Σ C next to Δt.
 */
export function PhotoHeatmap() {
  const id = useId();
  const spec = useModelsStore(selectedModel);
  const result = usePhotoExplainStore((s) => s.result);
  const view = usePhotoExplainStore((s) => s.view);
  const softmaxNormalize = usePhotoExplainStore((s) => s.settings.softmaxNormalize);
  const setView = usePhotoExplainStore((s) => s.setView);
  const ref = useRef<HTMLCanvasElement>(null);
  const shown = result ? (view.isPositiveOnly ? positivePart(result.attributions) : result.attributions) : null;
  const maxAbs = shown ? symmetricScale(shown) : 0;

  useEffect(() => {
    const ctx = get2d(ref.current);
    if (!ctx || !result || !shown) return;
    ctx.globalAlpha = 1;
    drawRgba(ctx, Uint8ClampedArray.from(result.seen), result.width, result.height);
    ctx.globalAlpha = view.opacity;
    drawRgba(ctx, colorizeAttributions(shown, maxAbs, 'opaque'), result.width, result.height);
    ctx.globalAlpha = 1;
  }, [result, shown, maxAbs, view.opacity]);

  if (!result) return <p className="muted">The heatmap appears here once a photo is explained.</p>;
  const k = displayScale(result.height, result.width);
  const t = result.contrast === null ? classLabel(spec.labels, result.target) : `${classLabel(spec.labels, result.target)} rather than ${classLabel(spec.labels, result.contrast)}`;
  return (
    <figure className="heatmap-figure">
      <canvas
        ref={ref}
        width={result.width * k}
        height={result.height * k}
        className="photo-canvas"
        data-testid="heatmap"
        role="img"
        aria-label={`Contributions to ${t}: orange pixels raise it, blue pixels lower it`}
      />
      <HeatmapLegend maxAbs={maxAbs} />
      <div className="heatmap-options">
        <label htmlFor={`${id}-opacity`}>Opacity</label>
        <input id={`${id}-opacity`} type="range" min={0} max={1} step={0.05} value={view.opacity} data-testid="heatmap-opacity" onChange={(e) => setView({ opacity: Number(e.target.value) })} />
        <label>
          <input type="checkbox" checked={view.isPositiveOnly} data-testid="heatmap-positive" onChange={(e) => setView({ isPositiveOnly: e.target.checked })} /> Positive only
        </label>
      </div>
      <div className="sum">
        <output className="sum-readout" data-testid="sum-readout" title={`|Σ C − Δt| = ${Math.abs(result.sum - result.delta).toExponential(2)}`}>
          {formatSumReadout(result.sum, result.delta)}
        </output>
        <p className="muted sum-caption">
          t = logit of {t}
          {softmaxNormalize && result.contrast === null ? ' − mean logit' : ''}; Δt = t(photo) − t(reference); contributions summed over colour channels
        </p>
      </div>
    </figure>
  );
}
