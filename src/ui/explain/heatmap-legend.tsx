import { divergingCssGradient, overlayCssGradient } from '../../engine/image/colormap';
import { OVERLAY_DIGIT_LEVEL } from './canvas-utils';

/** A short number for scales: 3 significant digits, no exponent for everyday sizes. */
export function formatScale(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e4 ? Number(value.toPrecision(3)).toString() : value.toExponential(2);
}

interface HeatmapLegendProps {
  /** The symmetric scale: colours run from −maxAbs to +maxAbs; null: each map has its own (ticks say "−scale", "+scale"). */
  maxAbs: number | null;
  compact?: boolean;
  /**
   * The map is an overlay (colour at opacity √|v| over the dimmed digit): the bar then shows exactly that,
   * over the digit's grey (top) and over the black background (bottom), so 0 is "no colour", never white.
   */
  isOverlay?: boolean;
  /** Words after the scale, e.g. how it was chosen ("98th percentile of |value| over all maps"). */
  scaleNote?: string;
}

/** The colour scale with its numbers: −max (blue, against) · 0 (white, or no colour on an overlay) · +max (orange, for). */
export function HeatmapLegend({ maxAbs, compact = false, isOverlay = false, scaleNote }: HeatmapLegendProps) {
  const digitGrey = Math.round(255 * OVERLAY_DIGIT_LEVEL);
  return (
    <div className={`legend ${compact ? 'legend-compact' : ''}`} data-testid="heatmap-legend" data-mode={isOverlay ? 'overlay' : 'opaque'}>
      {isOverlay ? (
        <div className="legend-bar legend-bar-overlay" aria-hidden="true">
          <div style={{ background: overlayCssGradient(digitGrey) }} />
          <div style={{ background: overlayCssGradient(0) }} />
        </div>
      ) : (
        <div className="legend-bar" style={{ background: divergingCssGradient() }} aria-hidden="true" />
      )}
      <div className="legend-ticks" aria-label={maxAbs === null ? 'Colour scale from minus to plus each map’s own scale' : `Colour scale from minus ${formatScale(maxAbs)} to plus ${formatScale(maxAbs)}`}>
        <span>−{maxAbs === null ? 'scale' : formatScale(maxAbs)}</span>
        <span>{isOverlay ? '0 (no colour)' : '0'}</span>
        <span>+{maxAbs === null ? 'scale' : formatScale(maxAbs)}</span>
      </div>
      {compact ? null : (
        <div className="legend-words muted">
          <span>against the target</span>
          <span>for the target</span>
        </div>
      )}
      {maxAbs === 0 ? <p className="legend-note muted">Every contribution is 0: nothing here differs from the reference.</p> : null}
      {isOverlay ? <p className="legend-note muted">Top: over the digit (grey); bottom: over the black background. Zero adds no colour.</p> : null}
      {scaleNote ? <p className="legend-note muted">{scaleNote}</p> : null}
    </div>
  );
}
