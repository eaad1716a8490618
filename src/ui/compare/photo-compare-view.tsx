import { useEffect, useRef, type RefObject } from 'react';
import { METHOD_LABELS } from '../../engine/attribution/method-names';
import { colorizeAttributions, ROBUST_SCALE_QUANTILE, robustScale } from '../../engine/image/colormap';
import { classLabel } from '../../engine/models/model-spec';
import { useCompareStore } from '../../state/compare-store';
import { selectedModel, useModelsStore } from '../../state/models-store';
import type { PhotoCompareResult } from '../../workers/explain-protocol';
import { drawRgba, get2d } from '../explain/canvas-utils';
import { HeatmapLegend, formatScale } from '../explain/heatmap-legend';
import { MethodItem } from './compare-view';

const REFERENCE_NAMES: Record<string, string> = { black: 'black', grey: 'uniform grey', blurred: 'the blurred photo' };

/** One method's map over the photo the model saw (dimmed), in the Explain panel's diverging colours. */
function PhotoMapCanvas({ result, map, maxAbs, label, canvasRef }: {
  result: PhotoCompareResult; map: Float32Array; maxAbs: number; label: string; canvasRef: RefObject<HTMLCanvasElement | null>;
}) {
  const ref = canvasRef;
  useEffect(() => {
    const ctx = get2d(ref.current);
    if (!ctx) return;
    ctx.globalAlpha = 0.35;
    drawRgba(ctx, Uint8ClampedArray.from(result.seen), result.width, result.height);
    ctx.globalAlpha = 1;
    drawRgba(ctx, colorizeAttributions(map, maxAbs, 'alpha'), result.width, result.height);
  }, [result, map, maxAbs]);
  const k = Math.max(1, Math.round(140 / Math.max(result.height, result.width)));
  return <canvas ref={ref} width={result.width * k} height={result.height * k} className="compare-canvas" role="img" aria-label={label} />;
}

/** The Compare tab on a photo model: every method's map of the photo panel's class, side by side. */
export function PhotoCompareView() {
  const result = useCompareStore((s) => s.photoCompare);
  const scale = useCompareStore((s) => s.settings.scale);
  const isComparing = useCompareStore((s) => s.isComparing);
  const updateSettings = useCompareStore((s) => s.updateSettings);
  const spec = useModelsStore((s) => selectedModel(s));
  const shown = result && result.modelId === spec.id ? result : null;
  const shared = shown ? robustScale(shown.maps.map((m) => m.attributions)) : 0;
  const percentile = Math.round(100 * ROBUST_SCALE_QUANTILE);
  const name = (k: number) => classLabel(spec.labels, k);
  return (
    <section className="card compare-card" data-testid="compare-view" aria-labelledby="compare-title" aria-busy={isComparing}>
      <div className="compare-head">
        <h2 id="compare-title">
          Every method on one photo
          {shown ? ` · ${name(shown.target)}${shown.contrast !== null ? ` rather than ${name(shown.contrast)}` : ''}` : ''}
        </h2>
        <label className="check">
          <input type="checkbox" data-testid="compare-scale-toggle" checked={scale === 'per-map'}
            onChange={(e) => updateSettings({ scale: e.target.checked ? 'per-map' : 'shared' })} />
          One colour scale per map
        </label>
      </div>
      {!shown ? (
        <p className="muted">{isComparing ? 'Running every method…' : `Choose a photo on the Explain tab; ${spec.name} explains it here by every method.`}</p>
      ) : (
        <>
          <p className="muted section-note" data-testid="compare-photo-reference">
            {spec.name}, {shown.height} × {shown.width} input. DeepLIFT, integrated gradients and gradient × input
            measure from {REFERENCE_NAMES[shown.referenceKind] ?? shown.referenceKind} (black when the Explain panel uses
            DeepLIFT-SHAP); DeepLIFT-SHAP averages over the Explain panel's eight references (the photo blurred at four
            scales, black with noise). Each map is summed over the colour channels, which leaves its Σ unchanged.
          </p>
          <ol className="compare-row">
            {shown.maps.map((m) => {
              const maxAbs = scale === 'shared' ? shared : robustScale([m.attributions]);
              return <PhotoCompareItem key={m.method} result={shown} map={m} maxAbs={maxAbs} isPerMap={scale === 'per-map'} modelName={spec.name} />;
            })}
          </ol>
          <HeatmapLegend maxAbs={scale === 'shared' ? shared : null}
            scaleNote={`Drawn over the photo: the stronger the score, the stronger the colour; zero adds none. ${scale === 'shared'
              ? `One shared scale: ±${formatScale(shared)} is the ${percentile}th percentile of the non-zero |scores| over all maps.`
              : `Each map has its own scale (±value under it): the ${percentile}th percentile of its non-zero |scores|.`}`} />
          <p className="muted section-note photo-compare-erase">“Erase to convert” (the paper’s test that erases the pixels a method ranks highest) is offered for the built-in digit model only.</p>
        </>
      )}
    </section>
  );
}

/** One method's map over the photo, its completeness, cost and downloads (PNG, and the H × W scores as JSON/CSV). */
function PhotoCompareItem({ result, map: m, maxAbs, isPerMap, modelName }: {
  result: PhotoCompareResult; map: PhotoCompareResult['maps'][number]; maxAbs: number; isPerMap: boolean; modelName: string;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { target, contrast } = result;
  return (
    <MethodItem map={m} maxAbs={maxAbs} isPerMap={isPerMap} canvasRef={canvasRef} height={result.height} width={result.width}
      canvas={<PhotoMapCanvas result={result} map={m.attributions} maxAbs={maxAbs} label={`${METHOD_LABELS[m.method]} map`} canvasRef={canvasRef} />}
      baseName={`${m.method}-class-${target}${contrast !== null ? `-vs-${contrast}` : ''}`}
      meta={{ model: modelName, method: m.method, target, contrast, reference: result.referenceKind, sum: m.sum, delta: m.delta, colourScaleMaxAbs: maxAbs }} />
  );
}
