import { useEffect, useRef, useState } from 'react';
import { getPhotoBitmap, getShownResult, registerFrameSink, useDreamStore } from '../../state/dream-store';

const EMPTY_SIZE = { width: 512, height: 384 };

function draw(canvas: HTMLCanvasElement | null, image: CanvasImageSource | null): void {
  if (!canvas || !image) return;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // Smaller octave frames are scaled up to fill the working resolution.
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
}

/** The dream canvas (frames drawn as they arrive), a before/after comparison and the PNG download. */
export function DreamView() {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const originalRef = useRef<HTMLCanvasElement>(null);
  const size = useDreamStore((s) => s.canvas) ?? EMPTY_SIZE;
  const photoVersion = useDreamStore((s) => s.photoVersion);
  const hasPhoto = useDreamStore((s) => s.photo !== null);
  const hasResult = useDreamStore((s) => s.hasResult);
  const layer = useDreamStore((s) => s.settings.layer);
  const [reveal, setReveal] = useState(0);
  const [isHolding, setIsHolding] = useState(false);

  // Frames bypass React: the store calls this with each one; we draw it and free it.
  useEffect(
    () =>
      registerFrameSink((frame) => {
        draw(canvasRef.current, frame.bitmap);
        frame.bitmap.close();
      }),
    [],
  );

  // A new photo (or a new working size) is shown as it is until the first frame arrives.
  useEffect(() => {
    const photo = getPhotoBitmap();
    // A restored or reopened result is shown over the photo.
    draw(canvasRef.current, getShownResult() ?? photo);
    draw(originalRef.current, photo);
    setReveal(0);
  }, [photoVersion, size.width, size.height]);

  const [objectUrl, setObjectUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!objectUrl) return;
    const timer = setTimeout(() => setObjectUrl(null), 10_000);
    return () => {
      clearTimeout(timer);
      URL.revokeObjectURL(objectUrl);
    };
  }, [objectUrl]);

  const download = () => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    canvas.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `dreamlift-${layer}-${canvas.width}x${canvas.height}.png`;
      a.click();
      setObjectUrl(url);
    }, 'image/png');
  };

  const shown = isHolding ? 100 : reveal;
  const canCompare = hasPhoto && hasResult;

  return (
    <div className="dream-view">
      <div className="dream-stage" style={{ aspectRatio: `${size.width} / ${size.height}`, width: `min(100%, calc(72vh * ${size.width / size.height}))` }}>
        <canvas
          ref={canvasRef}
          className="dream-canvas"
          data-testid="dream-canvas"
          width={size.width}
          height={size.height}
          role="img"
          aria-label={hasResult ? 'The dreamt image' : hasPhoto ? 'Your photo' : 'Empty canvas'}
        />
        <canvas
          ref={originalRef}
          className="dream-original"
          width={size.width}
          height={size.height}
          aria-hidden="true"
          style={{ clipPath: `inset(0 ${100 - (canCompare ? shown : 0)}% 0 0)` }}
        />
        {canCompare && shown > 0 && shown < 100 ? <div className="dream-divider" style={{ left: `${shown}%` }} aria-hidden="true" /> : null}
        {!hasPhoto && !hasResult ? <p className="dream-empty muted">Choose a photo or a sample to begin.</p> : null}
      </div>
      <div className="dream-view-actions">
        <label className="dream-compare">
          <span>Original</span>
          <input
            type="range"
            min={0}
            max={100}
            value={reveal}
            disabled={!canCompare}
            aria-label="Reveal the original photo"
            data-testid="compare-slider"
            onChange={(e) => setReveal(Number(e.target.value))}
          />
        </label>
        <button
          type="button"
          className="btn"
          data-testid="compare-hold"
          disabled={!canCompare}
          aria-pressed={isHolding}
          onPointerDown={() => setIsHolding(true)}
          onPointerUp={() => setIsHolding(false)}
          onPointerLeave={() => setIsHolding(false)}
          onKeyDown={(e) => {
            if (e.key === ' ' || e.key === 'Enter') setIsHolding(true);
          }}
          onKeyUp={() => setIsHolding(false)}
          onBlur={() => setIsHolding(false)}
        >
          Hold to compare
        </button>
        <button type="button" className="btn btn-primary" data-testid="dream-download" disabled={!hasResult} onClick={download}>
          Download PNG
        </button>
      </div>
    </div>
  );
}
