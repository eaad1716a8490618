import { formatScale } from './heatmap-legend';

interface FilterBarsProps {
  /** Σ C of each channel, [C]. */
  contributions: Float32Array;
  /** Channel indices, largest first. */
  order: number[];
  layer: string;
}

/**
 * One column per channel of the layer, largest contribution first: up
 * (orange) for channels that raised the target, down (blue) for those that
 * lowered it, heights on one scale ±max|C|.
 */
export function FilterBars({ contributions, order, layer }: FilterBarsProps) {
  let maxAbs = 0;
  for (const v of contributions) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = maxAbs > 0 ? 50 / maxAbs : 0;
  return (
    <figure className="filter-bars-figure">
      <ol className="filter-bars" data-testid="filters-bars" aria-label={`Contribution of each of the ${order.length} filters of ${layer}, largest first`}>
        {order.map((c) => {
          const v = contributions[c]!;
          const height = `${Math.abs(v) * scale}%`;
          return (
            <li key={c} className="filter-bar" data-channel={c} data-value={v} aria-label={`filter ${c}: ${v >= 0 ? '+' : ''}${v.toFixed(3)}`} title={`filter ${c}: ${v.toFixed(4)}`}>
              <span className={`filter-bar-fill ${v >= 0 ? 'is-pos' : 'is-neg'}`} style={v >= 0 ? { bottom: '50%', height } : { top: '50%', height }} />
            </li>
          );
        })}
      </ol>
      <figcaption className="muted filter-bars-caption">
        <span>+{formatScale(maxAbs)}</span>
        <span>filters of {layer}, largest contribution first (hover for the number)</span>
        <span>−{formatScale(maxAbs)}</span>
      </figcaption>
    </figure>
  );
}
