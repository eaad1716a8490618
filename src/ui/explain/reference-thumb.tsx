import { useEffect, useMemo, useRef } from 'react';
import { MNIST_PIXELS, MNIST_SIDE } from '../../engine/image/mnist-preprocess';
import { referencePixels } from '../../engine/image/reference';
import { requestParams, useExplainStore } from '../../state/explain-store';
import { drawRgba, get2d, grayToRgba } from './canvas-utils';

const EMPTY = new Float32Array(MNIST_PIXELS);

const NAMES = { black: 'a black image', grey: 'uniform grey', blurred: 'the blurred input', custom: 'your captured drawing' } as const;

/**
 * The reference DeepLIFT compares with, as a small 28×28 thumbnail beside the
 * picker: the one the last explanation used when there is one (what the worker
 * actually took), else the one the current settings make (28×28, cheap).
 */
export function ReferenceThumb() {
  const settings = useExplainStore((s) => s.settings);
  const custom = useExplainStore((s) => s.customReference);
  const pixels = useExplainStore((s) => s.pixels);
  const ref = useRef<HTMLCanvasElement>(null);
  const spec = requestParams(settings, custom).reference;
  const reference01 = useMemo(() => referencePixels(requestParams(settings, custom).reference, pixels ?? EMPTY), [settings, custom, pixels]);
  useEffect(() => {
    const ctx = get2d(ref.current);
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, MNIST_SIDE, MNIST_SIDE);
    drawRgba(ctx, grayToRgba(reference01), MNIST_SIDE, MNIST_SIDE);
  }, [reference01]);
  return (
    <canvas
      ref={ref}
      width={MNIST_SIDE}
      height={MNIST_SIDE}
      className="reference-thumb"
      role="img"
      aria-label={`Reference in use: ${NAMES[spec.kind]}`}
      title={`Reference in use: ${NAMES[spec.kind]}`}
      data-testid="reference-thumb"
    />
  );
}

/** Largest |input − reference| of two 784-pixel images. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - (b[i] ?? 0)));
  return max;
}

/** Said when the input is the reference itself, so every contribution is 0 (Σ C = Δt = 0). */
export function ReferenceSameNotice() {
  const result = useExplainStore((s) => s.result);
  const input = useExplainStore((s) => s.resultInput);
  if (!result || !input || maxDifference(input, result.reference01) > 1e-6) return null;
  return (
    <p className="reference-same not-digit" role="status" data-testid="reference-equals-input">
      <strong>Nothing to explain:</strong> the input is the reference itself, so nothing differs from it and every
      contribution is 0 (Σ C = Δt = 0). Draw something else, or choose another reference.
    </p>
  );
}
