/**
 * The photo-decoding worker's API: a huge PNG decoded straight to the working
 * size while it streams in (engine/image/png-reduce.ts), off the main thread.
 */
import * as Comlink from 'comlink';
import { decodePngReduced } from '../engine/image/png-reduce';
import type { RawImage } from './dream-protocol';

export interface DecodedPng {
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  /** An ImageBitmap where the worker can make one (transferred; the receiver closes it), else raw RGBA. */
  image: ImageBitmap | RawImage;
}

export interface DecodeApi {
  /** `file` decoded at most `maxSide` pixels on its long side; null for interlaced PNGs (decode them the usual way). */
  decodePng(file: Blob, maxSide: number): Promise<DecodedPng | null>;
}

export function createDecodeApi(): DecodeApi {
  return {
    async decodePng(file, maxSide) {
      const reduced = await decodePngReduced(file.stream(), maxSide);
      if (!reduced) return null;
      const { width, height, originalWidth, originalHeight, pixels } = reduced;
      if (typeof createImageBitmap === 'function' && typeof ImageData !== 'undefined') {
        const bitmap = await createImageBitmap(new ImageData(pixels, width, height));
        return Comlink.transfer({ width, height, originalWidth, originalHeight, image: bitmap }, [bitmap]);
      }
      return Comlink.transfer({ width, height, originalWidth, originalHeight, image: { width, height, pixels } }, [pixels.buffer]);
    },
  };
}
