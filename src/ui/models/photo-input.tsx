import { useCallback, useEffect, useId, useRef } from 'react';
import { useExplainStore } from '../../state/explain-store';
import { usePhotoExplainStore } from '../../state/photo-explain-store';
import { ImageDropZone } from '../common/image-drop-zone';
import { decodeImageFile, flattenOnto } from '../common/decode-image';
import { bitmapPixels, get2d } from '../explain/canvas-utils';

/** Photos are decoded at most this many pixels on their long side (the worker resizes them to the model's input). */
export const PHOTO_MAX_SIDE = 512;

/**
 * The input of a photo model: upload, drop or paste a photo (`explain-upload`),
 * or take one with the phone's camera (the file input's capture). A bad file
 * is refused with a message and the current photo is kept.
 */
export function PhotoInput({ isActive }: { isActive: boolean }) {
  const id = useId();
  const photo = usePhotoExplainStore((s) => s.photo);
  const setPhoto = usePhotoExplainStore((s) => s.setPhoto);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  const onFile = useCallback(
    async (file: File) => {
      try {
        const decoded = flattenOnto(await decodeImageFile(file, { maxSide: PHOTO_MAX_SIDE }), '#fff');
        const rgba = bitmapPixels(decoded.bitmap);
        decoded.bitmap.close();
        if (!rgba) throw new Error('This browser cannot read the image’s pixels.');
        setPhoto({ rgba, width: decoded.width, height: decoded.height });
      } catch (e) {
        useExplainStore.getState().showError(e instanceof Error ? e.message : String(e));
      }
    },
    [setPhoto],
  );

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = get2d(canvas);
    if (!ctx || !canvas || !photo) return;
    canvas.width = photo.width;
    canvas.height = photo.height;
    ctx.putImageData(new ImageData(Uint8ClampedArray.from(photo.rgba), photo.width, photo.height), 0, 0);
  }, [photo]);

  return (
    <div className="photo-input">
      {photo ? (
        <canvas ref={canvasRef} className="photo-canvas photo-original" role="img" aria-label="Your photo" data-testid="photo-canvas" />
      ) : (
        <p className="muted">Choose, drop or paste a photo; the model classifies it and DeepLIFT explains why.</p>
      )}
      <ImageDropZone onFile={(file) => void onFile(file)} testId="explain-upload" label="Upload a photo" isActive={isActive}>
        <label htmlFor={`${id}-camera`} className="btn">
          Take a photo
        </label>
        <input
          id={`${id}-camera`}
          type="file"
          accept="image/*"
          capture="environment"
          className="visually-hidden"
          data-testid="explain-camera"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void onFile(file);
          }}
        />
      </ImageDropZone>
    </div>
  );
}
