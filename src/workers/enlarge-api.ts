/**
 * The object the enlarge worker exposes (enlarge.worker.ts only adds
 * `expose`): a finished dream at the photo's original size. The worker reads
 * the three bitmaps' pixels (the original composited over the app's photo
 * background, as the working-size photo was), adds the upscaled detail
 * (engine/image/detail-upscale) and encodes the PNG, so the main thread only
 * decodes the file (off-thread, createImageBitmap) and saves the Blob.
 * No tfjs here: the work is one pass over the pixels.
 */
import { addUpscaledDetail, type RgbaImage } from '../engine/image/detail-upscale';
import type { CancellableApi } from './worker-handle';

export interface EnlargeApi extends CancellableApi {
  /**
   * original + upscale(result − base) as a PNG of the original's size. All
   * three bitmaps are transferred and closed here; `background` (a CSS colour)
   * shows through the original's transparent parts.
   */
  enlarge(original: ImageBitmap, base: ImageBitmap, result: ImageBitmap, background: string): Promise<Blob>;
}

/** A bitmap's pixels over `background`; closes the bitmap. */
function pixelsOf(bitmap: ImageBitmap, background: string): RgbaImage {
  const { width, height } = bitmap;
  try {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser cannot read pixels in a worker (no 2D OffscreenCanvas)');
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(bitmap, 0, 0);
    return { width, height, rgba: ctx.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}

export function createEnlargeApi(): EnlargeApi {
  return {
    async enlarge(original, base, result, background) {
      const images = [original, base, result];
      try {
        const [o, b, r] = images.map((bitmap) => pixelsOf(bitmap, background)) as [RgbaImage, RgbaImage, RgbaImage];
        const rgba = addUpscaledDetail(o, b, r);
        const canvas = new OffscreenCanvas(o.width, o.height);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('this browser cannot draw in a worker (no 2D OffscreenCanvas)');
        ctx.putImageData(new ImageData(rgba, o.width, o.height), 0, 0);
        return await canvas.convertToBlob({ type: 'image/png' });
      } finally {
        for (const bitmap of images) bitmap.close();
      }
    },
    // One short job at a time; there is nothing to stop between steps.
    cancel() {},
  };
}
