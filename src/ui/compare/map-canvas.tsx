import { useEffect, useRef, type RefObject } from 'react';
import { colorizeAttributions } from '../../engine/image/colormap';
import { MNIST_SIDE } from '../../engine/image/mnist-preprocess';
import { OVERLAY_DIGIT_LEVEL, drawRgba, get2d, grayToRgba } from '../explain/canvas-utils';

interface MapCanvasProps {
  /** The digit, Float32Array(784) in [0, 1]; dimmed under the map. */
  input: Float32Array | null;
  /** Scores to overlay (omit to show the digit alone). */
  map?: Float32Array | null;
  /** Colour scale ±maxAbs. */
  maxAbs?: number;
  size?: number;
  label: string;
  testId?: string;
  /** Receives the canvas element (for PNG export). */
  canvasRef?: RefObject<HTMLCanvasElement | null>;
}

/** A 28×28 digit, with scores over it in the Explain panel's diverging colours (alpha overlay). */
export function MapCanvas({ input, map = null, maxAbs = 0, size = 140, label, testId, canvasRef }: MapCanvasProps) {
  const ownRef = useRef<HTMLCanvasElement>(null);
  const ref = canvasRef ?? ownRef;
  useEffect(() => {
    const ctx = get2d(ref.current);
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, size, size);
    if (input) drawRgba(ctx, grayToRgba(input, map ? OVERLAY_DIGIT_LEVEL : 1), MNIST_SIDE, MNIST_SIDE);
    if (map) drawRgba(ctx, colorizeAttributions(map, maxAbs, 'alpha'), MNIST_SIDE, MNIST_SIDE);
  }, [input, map, maxAbs, size]);
  return <canvas ref={ref} width={size} height={size} className="compare-canvas" role="img" aria-label={label} data-testid={testId} />;
}
