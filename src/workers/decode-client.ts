/**
 * Main-thread side of the photo-decoding worker. One worker per huge photo
 * (rare, and it frees all its memory when terminated); a worker that dies
 * (out of memory) rejects instead of leaving the caller waiting.
 */
import * as Comlink from 'comlink';
import type { DecodeApi } from './decode-api';
import { isRawImage } from './dream-protocol';

export interface DecodedPngBitmap {
  bitmap: ImageBitmap;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

export async function decodePngInWorker(file: Blob, maxSide: number): Promise<DecodedPngBitmap | null> {
  const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'decode' });
  try {
    const died = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => reject(new Error(e.message || 'the decoding worker stopped')), { once: true });
    });
    const result = await Promise.race([Comlink.wrap<DecodeApi>(worker).decodePng(file, maxSide), died]);
    if (!result) return null;
    const { image, ...size } = result;
    const bitmap = isRawImage(image) ? await createImageBitmap(new ImageData(image.pixels, image.width, image.height)) : image;
    return { bitmap, ...size };
  } finally {
    worker.terminate();
  }
}
