import { divergingCssGradient } from '../../engine/image/colormap';

/** A short number for scales: 3 significant digits, no exponent for everyday sizes. */
export function formatScale(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e4 ? Number(value.toPrecision(3)).toString() : value.toExponential(2);
}

interface HeatmapLegendProps {
  /** The symmetric scale: colours run from −maxAbs to +maxAbs. */
  maxAbs: number;
  compact?: boolean;
}

/** The colour scale with its numbers: −max (blue, against) · 0 (white) · +max (orange, for). */
export function HeatmapLegend({ maxAbs, compact = false }: HeatmapLegendProps) {
  return (
    <div className={`legend ${compact ? 'legend-compact' : ''}`}>
      <div className="legend-bar" style={{ background: divergingCssGradient() }} aria-hidden="true" />
      <div className="legend-ticks" aria-label={`Colour scale from minus ${formatScale(maxAbs)} to plus ${formatScale(maxAbs)}`}>
        <span>−{formatScale(maxAbs)}</span>
        <span>0</span>
        <span>+{formatScale(maxAbs)}</span>
      </div>
      {compact ? null : (
        <div className="legend-words muted">
          <span>against the target</span>
          <span>for the target</span>
        </div>
      )}
    </div>
  );
}
