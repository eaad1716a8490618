import { useEffect, useRef } from 'react';
import { symmetricScale } from '../../engine/image/colormap';
import { useExplainStore } from '../../state/explain-store';
import { paint } from './heatmap';

const SIZE = 84;

/**
 * On narrow screens (phones) the full heatmap sits far below the canvas, so
 * this strip sticks to the top of the screen while the user draws: the
 * prediction, its probability and a compact overlay heatmap of the explained
 * class. Hidden by CSS on wider screens, where the result is beside the canvas.
 */
export function ResultStrip() {
  const result = useExplainStore((s) => s.result);
  const input = useExplainStore((s) => s.resultInput);
  const warning = useExplainStore((s) => s.notDigitWarning);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (result) paint(ref.current, input, result.attributions, symmetricScale(result.attributions), 'overlay');
  }, [result, input]);
  // Always there on a phone (a placeholder before the first result), so the canvas below never jumps.
  if (!result) {
    return (
      <div className="result-strip" data-testid="result-strip" aria-hidden="true">
        <canvas ref={ref} width={SIZE} height={SIZE} className="result-strip-map" />
        <span className="muted">Draw a digit below: the prediction and its heatmap stay here while you draw.</span>
      </div>
    );
  }
  const probability = result.probabilities[result.predicted] ?? 0;
  return (
    <div className="result-strip" data-testid="result-strip" aria-hidden="true">
      <canvas ref={ref} width={SIZE} height={SIZE} className="result-strip-map" />
      <div className="result-strip-text">
        <span className="result-strip-digit">{result.predicted}</span>
        <span className="muted">
          {(probability * 100).toFixed(1)}% sure
          <br />
          map: class {result.target}
          {result.contrast !== null ? ` rather than ${result.contrast}` : ''}
        </span>
        {warning ? <span className="result-strip-warning">not a digit?</span> : null}
      </div>
    </div>
  );
}
