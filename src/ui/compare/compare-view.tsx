import { HELP } from '../about/help-texts';
import { HelpTip } from '../common/help-tip';
import { symmetricScale } from '../../engine/image/colormap';
import { METHOD_LABELS } from '../../engine/attribution/method-names';
import { useCompareStore } from '../../state/compare-store';
import type { CompareMap } from '../../workers/compare-protocol';
import { HeatmapLegend, formatScale } from '../explain/heatmap-legend';
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
  const shared = result ? symmetricScale(...result.maps.map((m) => m.attributions)) : 0;
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
      {!result ? (
        <p className="muted">{isComparing ? 'Running every method…' : 'Draw a digit on the Explain tab; it is explained here by every method.'}</p>
      ) : (
        <>
          <ol className="compare-row">
            {result.maps.map((m) => {
              const maxAbs = scale === 'shared' ? shared : symmetricScale(m.attributions);
              return (
                <li key={m.method} className="compare-item" data-testid={`compare-map-${m.method}`}>
                  <MapCanvas input={input} map={m.attributions} maxAbs={maxAbs} label={`${METHOD_LABELS[m.method]} map`} />
                  <strong>{METHOD_LABELS[m.method]}</strong>
                  <span className="compare-sum">{describeCompleteness(m)}</span>
                  <span className="muted compare-ms">{m.ms.toFixed(1)} ms{scale === 'per-map' ? ` · ±${formatScale(maxAbs)}` : ''}</span>
                </li>
              );
            })}
          </ol>
          {scale === 'shared' ? <HeatmapLegend maxAbs={shared} /> : <p className="muted section-note">Each map has its own scale (±value under it).</p>}
        </>
      )}
    </section>
  );
}
