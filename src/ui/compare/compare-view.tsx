import { HELP } from '../about/help-texts';
import { HelpTip } from '../common/help-tip';
import { useRef, type ReactNode, type RefObject } from 'react';
import { ROBUST_SCALE_QUANTILE, robustScale } from '../../engine/image/colormap';
import { METHOD_LABELS } from '../../engine/attribution/method-names';
import { useCompareStore } from '../../state/compare-store';
import { useExplainStore } from '../../state/explain-store';
import type { CompareMap } from '../../workers/compare-protocol';
import { HeatmapLegend, formatScale } from '../explain/heatmap-legend';
import { ExportButtons } from '../common/export-buttons';
import { MapCanvas } from './map-canvas';

/** "Σ 1.234 · Δt 1.234" where there is a Δt, else "Σ 12.3 (no reference)"; SHAP adds its spread. */
export function describeCompleteness(m: Pick<CompareMap, 'sum' | 'delta' | 'completenessError' | 'sumStd'>): string {
  if (m.delta === null) return `Σ ${formatScale(m.sum)} (no reference, no Δt)`;
  const spread = m.sumStd !== null ? ` ± ${formatScale(m.sumStd)}` : '';
  return `Σ ${m.sum.toFixed(3)}${spread} · Δt ${m.delta.toFixed(3)} · |Σ−Δt| ${formatScale(m.completenessError ?? 0)}`;
}

/** Every method's map of the same target in a row, on one shared colour scale or one per map. */
export function CompareView() {
  const result = useCompareStore((s) => s.compare);
  const input = useCompareStore((s) => s.compareInput);
  const scale = useCompareStore((s) => s.settings.scale);
  const isComparing = useCompareStore((s) => s.isComparing);
  const updateSettings = useCompareStore((s) => s.updateSettings);
  const reference = useCompareStore((s) => s.compareReference);
  const explainReference = useExplainStore((s) => s.settings.reference);
  const shared = result ? robustScale(result.maps.map((m) => m.attributions)) : 0;
  const percentile = Math.round(100 * ROBUST_SCALE_QUANTILE);
  return (
    <section className="card compare-card" data-testid="compare-view" aria-labelledby="compare-title" aria-busy={isComparing}>
      <div className="compare-head">
        <h2 id="compare-title">
          Every method on one digit
          {result ? ` · class ${result.target}${result.contrast !== null ? ` rather than ${result.contrast}` : ''}` : ''}
        </h2>
        <HelpTip topic="|Σ−Δt|">{HELP.completeness}</HelpTip>
        <label className="check">
          <input
            type="checkbox"
            data-testid="compare-scale-toggle"
            checked={scale === 'per-map'}
            onChange={(e) => updateSettings({ scale: e.target.checked ? 'per-map' : 'shared' })}
          />
          One colour scale per map
        </label>
      </div>
      {result && reference ? (
        <div className="compare-reference">
          <MapCanvas input={reference} size={56} label="The reference the methods used" testId="compare-reference" />
          <p className="muted section-note">
            The reference the methods compared with (the Explain panel's choice): DeepLIFT, integrated gradients and
            gradient × input measure from it, DeepLIFT-SHAP from noisy copies of it; gradient and guided backprop use none.
          </p>
        </div>
      ) : null}
      {!result ? (
        <p className="muted">{isComparing ? 'Running every method…' : 'Draw a digit on the Explain tab; it is explained here by every method.'}</p>
      ) : (
        <>
          <ol className="compare-row">
            {result.maps.map((m) => {
              const maxAbs = scale === 'shared' ? shared : robustScale([m.attributions]);
              return (
                <CompareItem key={m.method} map={m} input={input} maxAbs={maxAbs} isPerMap={scale === 'per-map'}
                  target={result.target} contrast={result.contrast} reference={explainReference} />
              );
            })}
          </ol>
          {scale === 'shared' ? (
            <HeatmapLegend maxAbs={shared} isOverlay scaleNote={`One shared scale: ±${formatScale(shared)} is the ${percentile}th percentile of the non-zero |scores| over all maps; stronger pixels saturate.`} />
          ) : (
            <HeatmapLegend maxAbs={null} isOverlay scaleNote={`Each map has its own scale (±value under it): the ${percentile}th percentile of its non-zero |scores|, because gradient and guided backprop (∂t/∂x) are not in the other methods' units.`} />
          )}
        </>
      )}
    </section>
  );
}

interface CompareItemProps {
  map: CompareMap;
  input: Float32Array | null;
  maxAbs: number;
  isPerMap: boolean;
  target: number;
  contrast: number | null;
  reference: string;
}

/** One method's map with its completeness, cost and downloads. */
function CompareItem({ map: m, input, maxAbs, isPerMap, target, contrast, reference }: CompareItemProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  return (
    <MethodItem map={m} maxAbs={maxAbs} isPerMap={isPerMap} canvasRef={canvasRef} input={input}
      canvas={<MapCanvas input={input} map={m.attributions} maxAbs={maxAbs} label={`${METHOD_LABELS[m.method]} map`} canvasRef={canvasRef} />}
      baseName={`${m.method}-class-${target}${contrast !== null ? `-vs-${contrast}` : ''}`}
      meta={{ method: m.method, target, contrast, reference, sum: m.sum, delta: m.delta, colourScaleMaxAbs: maxAbs }} />
  );
}

interface MethodItemProps {
  map: Pick<CompareMap, 'method' | 'attributions' | 'sum' | 'delta' | 'completenessError' | 'sumStd' | 'ms'>;
  maxAbs: number;
  isPerMap: boolean;
  /** The map's canvas (drawn by the caller) and its element for the PNG download. */
  canvas: ReactNode;
  canvasRef: RefObject<HTMLCanvasElement | null>;
  input?: Float32Array | null;
  /** The map's size for the JSON/CSV downloads (default 28 × 28). */
  height?: number;
  width?: number;
  baseName: string;
  meta: Record<string, unknown>;
}

/** A method's card in the Compare row: its map, Σ vs Δt, cost and PNG/JSON/CSV downloads (digits and photos alike). */
export function MethodItem({ map: m, maxAbs, isPerMap, canvas, canvasRef, input = null, height, width, baseName, meta }: MethodItemProps) {
  return (
    <li className="compare-item" data-testid={`compare-map-${m.method}`}>
      {canvas}
      <strong>{METHOD_LABELS[m.method]}</strong>
      <span className="compare-sum">{describeCompleteness(m)}</span>
      <span className="muted compare-ms">{m.ms.toFixed(1)} ms{isPerMap ? ` · ±${formatScale(maxAbs)}` : ''}</span>
      <ExportButtons
        testId={`compare-export-${m.method}`}
        what={`the ${METHOD_LABELS[m.method]} map`}
        getCanvas={() => canvasRef.current}
        values={m.attributions}
        input={input}
        height={height}
        width={width}
        baseName={baseName}
        meta={meta}
      />
    </li>
  );
}
