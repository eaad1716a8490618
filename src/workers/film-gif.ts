/**
 * Animated GIF export for short film loops (gifenc: a per-frame 256-colour
 * palette, PnnQuant quantiser, no dithering). Frames are written as they come
 * and not kept; only the growing GIF is. Pure JS, so it runs in the worker and
 * in Node tests alike.
 */
import { GIFEncoder, applyPalette, quantize } from 'gifenc';

export { MAX_GIF_FRAMES } from './film-protocol';

export interface GifWriter {
  /** Adds one RGBA frame shown for `duration` seconds (GIF counts in hundredths). */
  add(pixels: Uint8ClampedArray, width: number, height: number, duration: number): void;
  /** Frames written so far. */
  readonly frames: number;
  /** Ends the GIF (looping forever) and returns its bytes. */
  finish(): ArrayBuffer;
}

export function createGifWriter(): GifWriter {
  const gif = GIFEncoder();
  let frames = 0;
  return {
    add(pixels, width, height, duration) {
      const palette = quantize(pixels, 256);
      gif.writeFrame(applyPalette(pixels, palette), width, height, { palette, delay: Math.max(10, Math.round(duration * 1000)), repeat: 0 });
      frames++;
    },
    get frames() {
      return frames;
    },
    finish() {
      gif.finish();
      const bytes = gif.bytes();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
