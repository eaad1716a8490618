import { useCallback, type RefObject } from 'react';
import { notADigitMessage, photoLikeness } from '../../engine/image/digit-likeness';
import { fitToMnist, rgbaToGray01 } from '../../engine/image/mnist-preprocess';
import { cleanUploadInk, useExplainStore } from '../../state/explain-store';
import { decodeImageFile } from '../common/decode-image';
import { bitmapPixels } from './canvas-utils';
import type { DrawingSurface } from './draw-canvas';

/** Uploads are decoded at most this large: ample for a digit, cheap to preprocess. */
const UPLOAD_MAX_SIDE = 560;
const UPLOAD_MIN_SIDE = 8;

/**
 * Turns an uploaded, dropped or pasted file into the drawing: decode, grayscale
 * light on dark (alpha composited, light paper inverted; a photo's paper
 * removed by uploadToInk), checked for ink, then
 * painted into the drawing canvas, where the usual preprocessing takes over.
 * On any failure the message goes to the store and the drawing and results stay.
 */
export function useUpload(surface: RefObject<DrawingSurface | null>): (file: File) => Promise<void> {
  const showError = useExplainStore((s) => s.showError);
  const dismissError = useExplainStore((s) => s.dismissError);
  const setNotDigitWarning = useExplainStore((s) => s.setNotDigitWarning);
  return useCallback(
    async (file: File) => {
      let bitmap: ImageBitmap | null = null;
      try {
        const decoded = await decodeImageFile(file, { maxSide: UPLOAD_MAX_SIDE, minSide: UPLOAD_MIN_SIDE });
        bitmap = decoded.bitmap;
        const rgba = bitmapPixels(bitmap);
        if (!rgba) throw new Error('this browser cannot read image pixels (no 2D canvas)');
        // A photo (uneven, textured paper) is cleaned first, in the worker: background removed, Otsu, the ink's components kept.
        const { ink01, width, height, photo } = await cleanUploadInk(rgbaToGray01(rgba, decoded.width, decoded.height), decoded.width, decoded.height);
        fitToMnist(ink01, width, height); // throws EmptyInputError before the drawing is touched
        surface.current?.paintInk(ink01, width, height);
        setNotDigitWarning(notADigitMessage(photoLikeness(photo)));
        dismissError();
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        const known = error.name === 'BadImageError' || error.name === 'EmptyInputError';
        showError(known ? error.message : `The image could not be used: ${error.message}`);
      } finally {
        bitmap?.close();
      }
    },
    [surface, showError, dismissError, setNotDigitWarning],
  );
}
