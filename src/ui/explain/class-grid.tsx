import { HELP } from '../about/help-texts';
import { HelpTip } from '../common/help-tip';
import { useEffect, useRef } from 'react';
import { colorizeAttributions, symmetricScale } from '../../engine/image/colormap';
import { MNIST_SIDE } from '../../engine/image/mnist-preprocess';
import { useExplainStore } from '../../state/explain-store';
import { drawRgba, get2d } from './canvas-utils';
import { HeatmapLegend } from './heatmap-legend';

export function ClassMap({ map, maxAbs, height = MNIST_SIDE, width = MNIST_SIDE }: { map: Float32Array; maxAbs: number; height?: number; width?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = get2d(ref.current);
    if (ctx) drawRgba(ctx, colorizeAttributions(map, maxAbs, 'opaque'), width, height);
  }, [map, maxAbs, height, width]);
  return <canvas ref={ref} width={width} height={height} className="class-map" aria-hidden="true" />;
}

/**
 * The ten class maps from one batched pass, on one shared symmetric scale so
 * they can be compared; clicking one makes it the explained target.
 */
export function ClassGrid() {
  const classMaps = useExplainStore((s) => s.result?.classMaps ?? null);
  const classDeltas = useExplainStore((s) => s.result?.classDeltas ?? null);
  const target = useExplainStore((s) => s.result?.target ?? null);
  const predicted = useExplainStore((s) => s.result?.predicted ?? null);
  const updateSettings = useExplainStore((s) => s.updateSettings);
  if (!classMaps || classMaps.length === 0) return <p className="muted placeholder">The maps of all ten classes appear here.</p>;
  const maxAbs = symmetricScale(...classMaps);
  return (
    <div className="class-grid-wrap">
      <div className="class-grid" role="group" aria-label="Contribution maps of the ten classes; choose one to explain it">
        {classMaps.map((map, digit) => (
          <button
            key={digit}
            type="button"
            className={`class-cell ${digit === target ? 'is-target' : ''}`}
            aria-pressed={digit === target}
            aria-label={`Explain class ${digit}${digit === predicted ? ' (predicted)' : ''}`}
            onClick={() => updateSettings({ target: digit })}
          >
            <ClassMap map={map} maxAbs={maxAbs} />
            <span className="class-cell-label">
              <strong>{digit}</strong>
              {classDeltas?.[digit] !== undefined ? <span className="muted">Δ {classDeltas[digit]!.toFixed(2)}</span> : null}
            </span>
          </button>
        ))}
      </div>
      <p className="muted class-grid-help">
        Δ under a tile: that class’s change in score from the reference <HelpTip topic="the Δ on each tile">{HELP.tileDelta}</HelpTip>
      </p>
      <HeatmapLegend maxAbs={maxAbs} compact />
    </div>
  );
}
