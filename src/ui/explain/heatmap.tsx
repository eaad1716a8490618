import { useEffect, useRef } from 'react';
import { colorizeAttributions, symmetricScale } from '../../engine/image/colormap';
import { MNIST_SIDE } from '../../engine/image/mnist-preprocess';
import { useExplainStore } from '../../state/explain-store';
import { OVERLAY_DIGIT_LEVEL, drawRgba, get2d, grayToRgba } from './canvas-utils';
import { ExportButtons } from '../common/export-buttons';
import { HeatmapLegend } from './heatmap-legend';

const SIZE = 280;

/** Draws the digit (dimmed when something goes on top) and, if given, the contributions, over the whole canvas. */
export function paint(canvas: HTMLCanvasElement | null, input: Float32Array | null, map: Float32Array | null, maxAbs: number, mode: 'overlay' | 'map' | 'input') {
  const ctx = get2d(canvas);
  if (!ctx) return;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (mode !== 'map' && input) drawRgba(ctx, grayToRgba(input, mode === 'overlay' ? OVERLAY_DIGIT_LEVEL : 1), MNIST_SIDE, MNIST_SIDE);
  if (mode !== 'input' && map) drawRgba(ctx, colorizeAttributions(map, maxAbs, mode === 'overlay' ? 'alpha' : 'opaque'), MNIST_SIDE, MNIST_SIDE);
}

/**
 * The contributions of the input pixels to the target, on a diverging map
 * centred on zero with a symmetric scale ±max|C|: over the digit (overlay) or
 * beside it.
 */
export function Heatmap() {
  const result = useExplainStore((s) => s.result);
  const input = useExplainStore((s) => s.resultInput);
  const view = useExplainStore((s) => s.settings.view);
  const settings = useExplainStore((s) => s.settings);
  const mapRef = useRef<HTMLCanvasElement>(null);
  const inputRef = useRef<HTMLCanvasElement>(null);
  const maxAbs = result ? symmetricScale(result.attributions) : 0;

  useEffect(() => {
    if (!result) return;
    paint(mapRef.current, input, result.attributions, maxAbs, view === 'overlay' ? 'overlay' : 'map');
    if (view === 'side') paint(inputRef.current, input, null, maxAbs, 'input');
  }, [result, input, view, maxAbs]);

  if (!result) {
    return (
      <div className="heatmap-empty">
        <p className="muted">Draw a digit (or upload one) to see which pixels pushed the model toward its answer and which held it back.</p>
      </div>
    );
  }
  const label = `Contributions to class ${result.target}${result.contrast !== null ? ` rather than ${result.contrast}` : ''}: orange pixels raise it, blue pixels lower it`;
  return (
    <figure className="heatmap-figure">
      <div className={`heatmap-views heatmap-${view}`}>
        {view === 'side' ? (
          <canvas ref={inputRef} width={SIZE} height={SIZE} className="heatmap-canvas" role="img" aria-label="The input digit" />
        ) : null}
        <canvas ref={mapRef} width={SIZE} height={SIZE} className="heatmap-canvas" data-testid="heatmap" role="img" aria-label={label} />
      </div>
      <HeatmapLegend maxAbs={maxAbs} isOverlay={view === 'overlay'} />
      <ExportButtons
        testId="heatmap-export"
        what="this heatmap"
        getCanvas={() => mapRef.current}
        values={result.attributions}
        input={input}
        baseName={`deeplift-${settings.rule}-class-${result.target}${result.contrast !== null ? `-vs-${result.contrast}` : ''}`}
        meta={{
          method: `deeplift-${settings.rule}`, target: result.target, contrast: result.contrast,
          softmaxNormalize: settings.softmaxNormalize, reference: settings.reference, sum: result.sum, delta: result.delta,
          predicted: result.predicted, colourScaleMaxAbs: maxAbs,
        }}
      />
    </figure>
  );
}

/** "Why 7: DeepLIFT contributions to class 7" (with "rather than 3" for a contrast); generic until there is a result. */
export function HeatmapTitle({ id }: { id: string }) {
  const target = useExplainStore((s) => s.result?.target ?? null);
  const contrast = useExplainStore((s) => s.result?.contrast ?? null);
  if (target === null) return <h2 id={id}>Why: DeepLIFT contributions</h2>;
  return (
    <h2 id={id} data-testid="heatmap-title">
      {contrast !== null ? `Why ${target} rather than ${contrast}: DeepLIFT contributions` : `Why ${target}: DeepLIFT contributions to class ${target}`}
    </h2>
  );
}
