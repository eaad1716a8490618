import { useEffect, useRef } from 'react';
import { MNIST_SIDE } from '../../engine/image/mnist-preprocess';
import { useExplainStore } from '../../state/explain-store';
import { drawRgba, get2d, grayToRgba } from './canvas-utils';

/** The 28×28 image the model actually sees, scaled up with crisp pixels. */
export function ModelInputPreview() {
  const pixels = useExplainStore((s) => s.pixels);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const ctx = get2d(canvasRef.current);
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, MNIST_SIDE, MNIST_SIDE);
    if (pixels) drawRgba(ctx, grayToRgba(pixels), MNIST_SIDE, MNIST_SIDE);
  }, [pixels]);

  return (
    <figure className="model-input">
      <canvas
        ref={canvasRef}
        width={MNIST_SIDE}
        height={MNIST_SIDE}
        className="model-input-canvas"
        role="img"
        aria-label={pixels ? 'The 28 by 28 image the model sees' : 'The model input is empty'}
        data-testid="model-input"
      />
      <figcaption className="muted">What the model sees (28 × 28)</figcaption>
    </figure>
  );
}
