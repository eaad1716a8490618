import { useEffect, useRef } from 'react';
import { colorizeAttributions } from '../../engine/image/colormap';
import { getPhotoBitmap, useDreamStore } from '../../state/dream-store';
import { useHeatmapStore, type HeatmapResult } from '../../state/heatmap-store';
import { drawRgba, get2d } from '../explain/canvas-utils';
import { HeatmapLegend } from '../explain/heatmap-legend';
import { formatSumReadout } from '../explain/sum-readout';
import './filter-heatmap.css';

/**
 * The colour scale: the 99.5th percentile of |C| (the few strongest pixels saturate), so a handful of
 * extreme pixels cannot wash the rest of a photo-sized map out; max|C| when that percentile is 0.
 */
export function robustScale(map: Float32Array, quantile = 0.995): number {
  if (map.length === 0) return 0;
  const abs = Float32Array.from(map, Math.abs).sort();
  const q = abs[Math.min(abs.length - 1, Math.floor(quantile * abs.length))]!;
  return q > 0 ? q : abs[abs.length - 1]!;
}

/** Draws the photo, dimmed, and the contributions over it (scaled to the canvas). */
function paint(canvas: HTMLCanvasElement | null, result: HeatmapResult, maxAbs: number): void {
  const ctx = get2d(canvas);
  if (!ctx || !canvas) return;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const photo = getPhotoBitmap();
  if (photo) {
    ctx.globalAlpha = 0.45;
    ctx.drawImage(photo, 0, 0, canvas.width, canvas.height);
    ctx.globalAlpha = 1;
  }
  drawRgba(ctx, colorizeAttributions(result.map, maxAbs, 'alpha'), result.width, result.height, undefined, true);
}

/**
 * "Where does it fire?": DeepLIFT of the chosen filter's (or layer's) mean
 * activation over the photo, against the blurred photo (or black), with the
 * Σ C vs Δt readout.
 */
export function FilterHeatmapView() {
  const layer = useDreamStore((s) => s.settings.layer);
  const filter = useDreamStore((s) => s.settings.filter);
  const photo = useDreamStore((s) => s.photo);
  const photoVersion = useDreamStore((s) => s.photoVersion);
  const modelId = useDreamStore((s) => s.settings.modelId);
  const { reference, status, result, error, setReference, run, cancel } = useHeatmapStore();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const fresh = result && result.photoVersion === photoVersion && result.modelId === modelId ? result : null;
  const maxAbs = fresh ? robustScale(fresh.map) : 0;

  useEffect(() => {
    if (fresh) paint(canvasRef.current, fresh, maxAbs);
  }, [fresh, maxAbs]);

  const what = filter.trim() === '' || filter.trim().toLowerCase() === 'all' ? `the whole of ${layer}` : `filter ${filter.trim()} of ${layer}`;
  const side = 320;
  const aspect = photo ? photo.height / photo.width : 1;
  return (
    <section className="filter-heatmap-section" aria-labelledby="filter-heatmap-title">
      <h3 id="filter-heatmap-title">Where does it fire?</h3>
      <div className="filter-heatmap-controls">
        <button type="button" className="btn" data-testid="filter-heatmap-run" disabled={!photo || status === 'running'} onClick={() => void run()}>
          {status === 'running' ? 'Computing…' : `Show where ${what} fires`}
        </button>
        {status === 'running' ? <button type="button" className="btn" onClick={cancel}>Cancel</button> : null}
        <label>
          Reference{' '}
          <select data-testid="filter-heatmap-reference" value={reference} onChange={(e) => setReference(e.target.value as 'blurred' | 'black')}>
            <option value="blurred">the photo, blurred</option>
            <option value="black">black</option>
          </select>
        </label>
      </div>
      {error ? <p className="error" role="alert" data-testid="filter-heatmap-error">{error}</p> : null}
      {fresh ? (
        <figure className="filter-heatmap-figure">
          <canvas
            ref={canvasRef} width={side} height={Math.round(side * aspect)} className="filter-heatmap-canvas" data-testid="filter-heatmap" role="img"
            aria-label={`Where ${fresh.channel === null ? `the whole of ${fresh.layer}` : `filter ${fresh.channel} of ${fresh.layer}`} fires: orange pixels raise its mean activation, blue ones lower it`}
          />
          <HeatmapLegend maxAbs={maxAbs} compact />
          <output className="sum-readout" data-testid="filter-heatmap-readout">{formatSumReadout(fresh.sum, fresh.delta)}</output>
          <figcaption className="muted">
            t = mean activation of {fresh.channel === null ? `all of ${fresh.layer}` : `filter ${fresh.channel} of ${fresh.layer}`}; Δt = t(photo) − t({fresh.reference === 'blurred' ? 'blurred photo' : 'black'}); DeepLIFT (Rescale) on a {fresh.width}×{fresh.height} copy; colours saturate at the 99.5th percentile of |C|.
          </figcaption>
        </figure>
      ) : (
        <p className="muted">{photo ? 'DeepLIFT shows which pixels of the photo raise the filter\'s mean activation.' : 'Choose a photo to see where the filter fires in it.'}</p>
      )}
    </section>
  );
}
