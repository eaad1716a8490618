/**
 * PNG and JPEG decoding/encoding in Node (pure JS: pngjs, jpeg-js), for the
 * command line, benchmarks and tests. Not for the browser, which decodes with
 * createImageBitmap; nothing in the worker or UI imports this file.
 */
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

/** Thrown when bytes are not a decodable PNG or JPEG image. */
export class BadImageError extends Error {
  override name = 'BadImageError';
}

/** Decoded RGBA pixels, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  /** length width·height·4, values 0..255 */
  data: Uint8Array;
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes PNG or JPEG bytes (detected by signature) to RGBA; throws BadImageError. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  try {
    if (isPng(bytes)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    if (isJpeg(bytes)) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (err) {
    throw new BadImageError(`cannot decode image: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new BadImageError('not a PNG or JPEG image');
}

/** RGBA → [h, w, 3] float32 tensor in 0..255 (alpha dropped). The caller owns the tensor. */
export function rgbaToTensor(image: RgbaImage): tf.Tensor3D {
  const { width, height, data } = image;
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[i * 3] = data[j];
    rgb[i * 3 + 1] = data[j + 1];
    rgb[i * 3 + 2] = data[j + 2];
  }
  return tf.tensor3d(rgb, [height, width, 3], 'float32');
}

/** Decodes PNG/JPEG bytes to a [h, w, 3] float32 tensor in 0..255; the caller owns it. */
export function decodeToTensor(bytes: Uint8Array): tf.Tensor3D {
  return rgbaToTensor(decodeImage(bytes));
}

/** Encodes opaque RGBA pixels (width·height·4 bytes) as PNG bytes. */
export function encodePng(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

/** Encodes opaque RGBA pixels as JPEG bytes (quality 1..100). */
export function encodeJpeg(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray, quality = 90): Uint8Array {
  const out = jpeg.encode({ width, height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength) }, quality);
  return new Uint8Array(out.data);
}

/** [h, w, 3] tensor in 0..255 → RGBA bytes (rounded, clipped, alpha 255). Does not dispose the input. */
export async function tensorToRgba(image: tf.Tensor3D): Promise<RgbaImage> {
  const [height, width] = image.shape;
  const rgb = await image.data();
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.min(255, Math.max(0, Math.round(rgb[i * 3 + c])));
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}
