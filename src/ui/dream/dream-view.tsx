import { useEffect, useRef, useState, type ReactNode } from 'react';
import { enlargeDream, getPhotoBitmap, getShownResult, registerFrameSink, useDreamStore } from '../../state/dream-store';
import { fitWithin } from '../common/decode-image';
import { ORIGINAL_MAX_SIDE, PHOTO_BACKGROUND, decodeOriginalPhoto } from './photo-loader';

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

/**
 * The dream canvas (frames drawn as they arrive) under `header` (the action bar), a before/after
 * comparison and the downloads. The header and the canvas form one block that stays in view
 * (sticky) on narrow screens while the settings scroll beneath it.
 */
export function DreamView({ header }: { header?: ReactNode }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const originalRef = useRef<HTMLCanvasElement>(null);
  const size = useDreamStore((s) => s.canvas) ?? EMPTY_SIZE;
  const photoVersion = useDreamStore((s) => s.photoVersion);
  const hasPhoto = useDreamStore((s) => s.photo !== null);
  const hasResult = useDreamStore((s) => s.hasResult);
  const layer = useDreamStore((s) => s.settings.layer);
  const photo = useDreamStore((s) => s.photo);
  const [isEnlarging, setIsEnlarging] = useState(false);
  const [enlargeError, setEnlargeError] = useState<string | null>(null);
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

  const save = (blob: Blob, name: string) => {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setObjectUrl(url);
  };

  const download = () => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    canvas.toBlob((blob) => {
      if (blob) save(blob, `dreamlift-${layer}-${canvas.width}x${canvas.height}.png`);
    }, 'image/png');
  };

  // The detail is enlarged onto the original in a worker; here only the file is decoded (off-thread) and saved.
  const downloadOriginal = async () => {
    const canvas = canvasRef.current;
    if (!canvas || isEnlarging) return;
    setIsEnlarging(true);
    setEnlargeError(null);
    try {
      const [original, result] = await Promise.all([decodeOriginalPhoto(), createImageBitmap(canvas)]);
      try {
        if (!original) throw new Error('the photo is no longer available');
        const blob = await enlargeDream(original.bitmap, result, PHOTO_BACKGROUND);
        save(blob, `dreamlift-${layer}-${original.width}x${original.height}-original-size.png`);
      } finally {
        result.close();
      }
    } catch (error) {
      setEnlargeError(`The original-size image could not be made: ${error instanceof Error ? error.message : String(error)}. The working-size download still works.`);
    } finally {
      setIsEnlarging(false);
    }
  };

  const shown = isHolding ? 100 : reveal;
  const canEnlarge = hasResult && photo !== null && photo.isScaled;
  const full = photo ? fitWithin(photo.originalWidth, photo.originalHeight, ORIGINAL_MAX_SIDE) : null;
  const canCompare = hasPhoto && hasResult;

  return (
    <div className="dream-view">
      <div className="dream-sticky">
        {header}
        <div className="dream-stage" style={{ aspectRatio: `${size.width} / ${size.height}`, width: `min(100%, calc(var(--dream-stage-height) * ${size.width / size.height}))` }}>
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
      </div>
      <div className="dream-downloads" role="group" aria-label="Download the dream">
        <button type="button" className="btn btn-primary" data-testid="dream-download" disabled={!hasResult} onClick={download}>
          Download {size.width}×{size.height}
        </button>
        {photo?.isScaled ? (
          <button type="button" className="btn" data-testid="dream-download-original" disabled={!canEnlarge || isEnlarging} onClick={() => void downloadOriginal()}>
            {isEnlarging ? 'Enlarging…' : `Download at original size ${full?.width}×${full?.height}`}
          </button>
        ) : null}
        <p className="dream-hint muted dream-download-note">
          {photo?.isScaled
            ? `${size.width}×${size.height} is the working size: exactly what was dreamt. The original size adds the dream’s detail, enlarged, to your full-size photo, as large prints of dreams are made.`
            : 'The dream is at the photo’s own size.'}
        </p>
        {enlargeError ? (
          <p className="dream-field-error" role="alert">
            {enlargeError}
          </p>
        ) : null}
      </div>
    </div>
  );
}
