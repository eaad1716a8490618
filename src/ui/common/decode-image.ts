/**
 * Turns a user's file (picker, drop, paste) into an ImageBitmap at a working
 * size, or a BadImageError whose message says what is wrong in plain words.
 * The browser decodes off the main thread (createImageBitmap); the header is
 * sniffed first so that non-images, empty files, formats the browser cannot
 * decode and absurd sizes are refused before any pixel is decoded.
 *
 * When the header states the size, the browser is asked to decode straight to
 * the working size (createImageBitmap's resize options), so a 10000×10000 photo
 * never exists as a full-size bitmap on our side; see docs/notes-persist.md for
 * the peak memory measured before and after.
 */

import { decodePngInWorker } from '../../workers/decode-client';

export class BadImageError extends Error {
  override name = 'BadImageError';
}

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif' | 'heic' | 'svg' | 'unknown';

export interface ImageHeader {
  kind: ImageKind;
  /** Pixel size from the header, when the format states it where we look. */
  width: number | null;
  height: number | null;
  /** EXIF orientation 1…8 (JPEG), when the file has one. */
  orientation?: number;
}

/** Largest side we agree to decode at all, and the largest pixel count. */
export const MAX_DECODE_SIDE = 20_000;
export const MAX_DECODE_PIXELS = 120_000_000;
/** PNGs with more pixels than this are decoded by the streaming decoder in a worker (at the working size). */
export const PNG_STREAM_MIN_PIXELS = 4_000_000;
/** Largest file we read (bytes). */
export const MAX_FILE_BYTES = 60 * 1024 * 1024;

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** The orientation tag (0x0112) of an Exif APP1 segment whose TIFF header starts at `tiff`; null when absent. */
function exifOrientation(view: DataView, tiff: number, end: number): number | null {
  if (tiff + 8 > end) return null;
  const little = view.getUint16(tiff) === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return null;
  const count = view.getUint16(ifd, little);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > end) return null;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : null;
    }
  }
  return null;
}

/** Reads the format and, where cheap, the size from the first bytes of a file. */
export function sniffImage(bytes: Uint8Array): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const none = (kind: ImageKind): ImageHeader => ({ kind, width: null, height: null });
  if (bytes.length >= 24 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG') {
    return { kind: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    // Walk the JPEG segments to the first start-of-frame marker, noting an Exif orientation on the way.
    let i = 2;
    let orientation: number | null = null;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) {
        i++;
        continue;
      }
      const marker = bytes[i + 1]!;
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        const size = { kind: 'jpeg' as const, width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
        return orientation === null ? size : { ...size, orientation };
      }
      if (marker === 0xe1 && ascii(bytes, i + 4, 6) === 'Exif\0\0') {
        orientation = exifOrientation(view, i + 10, Math.min(bytes.length, i + 2 + view.getUint16(i + 2)));
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      i += 2 + view.getUint16(i + 2);
    }
    return none('jpeg');
  }
  if (bytes.length >= 10 && ascii(bytes, 0, 4) === 'GIF8') {
    return { kind: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return none('webp');
  if (bytes.length >= 26 && ascii(bytes, 0, 2) === 'BM') {
    return { kind: 'bmp', width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  if (bytes.length >= 12 && ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (/^avi[fs]/.test(brand)) return none('avif');
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)/.test(brand)) return none('heic');
    return none('unknown');
  }
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 1024))).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')) || head.includes('<svg')) return none('svg');
  return none('unknown');
}

export interface DecodeOptions {
  /** The longest side of the returned bitmap; larger images are scaled down. */
  maxSide: number;
  /** Refuse images whose shorter side (after scaling) would fall below this. */
  minSide?: number;
}

export interface DecodedImage {
  bitmap: ImageBitmap;
  width: number;
  height: number;
  /** The decoded size before scaling; equal to width/height when not scaled. */
  originalWidth: number;
  originalHeight: number;
  isScaled: boolean;
  kind: ImageKind;
}

/** Fits (w, h) inside maxSide, keeping the aspect ratio; never scales up. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Refuses sizes we cannot or should not work with; returns the working size. */
export function checkImageSize(width: number, height: number, options: DecodeOptions): { width: number; height: number } {
  if (width <= 0 || height <= 0) throw new BadImageError('The image has no pixels.');
  if (width > MAX_DECODE_SIDE || height > MAX_DECODE_SIDE || width * height > MAX_DECODE_PIXELS) {
    throw new BadImageError(
      `The image is too large to open (${width}×${height} pixels). Please use one under ${MAX_DECODE_SIDE.toLocaleString('en')} pixels a side.`,
    );
  }
  const fitted = fitWithin(width, height, options.maxSide);
  const minSide = options.minSide ?? 1;
  if (Math.min(width, height) < minSide) {
    throw new BadImageError(`The image is too small (${width}×${height} pixels); it needs at least ${minSide} pixels on each side.`);
  }
  if (Math.min(fitted.width, fitted.height) < minSide) {
    throw new BadImageError(
      `The image is too thin (${width}×${height} pixels): scaled to ${options.maxSide} pixels on its long side it would be under ${minSide} pixels across.`,
    );
  }
  return fitted;
}

async function decodeSvg(file: Blob): Promise<ImageBitmap> {
  // Loaded as an <img>, an SVG never runs its scripts.
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    const width = img.naturalWidth || 512;
    const height = img.naturalHeight || 512;
    return await createImageBitmap(img, { resizeWidth: width, resizeHeight: height });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Orientations 5–8 turn the picture a quarter: the shown width is the stored height. */
function orientedSize(header: ImageHeader & { width: number; height: number }): { width: number; height: number } {
  const turned = header.orientation !== undefined && header.orientation >= 5;
  return turned ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
}

/**
 * A JPEG decoded by WebCodecs' ImageDecoder with a size hint: Chromium then decodes at a reduced
 * DCT scale (1/2 … 1/8), so a 10000×10000 photo never exists at full size (measured: +14 MiB
 * instead of +510 MiB). Null where there is no ImageDecoder (it needs a secure context).
 */
async function decodeJpegReduced(file: Blob, target: { width: number; height: number }): Promise<ImageBitmap | null> {
  if (typeof ImageDecoder === 'undefined' || !(await ImageDecoder.isTypeSupported('image/jpeg'))) return null;
  // Chromium's ImageDecoder applies the EXIF orientation itself (checked by e2e/decode-reduced.spec.ts).
  const decoder = new ImageDecoder({ data: file.stream(), type: 'image/jpeg', desiredWidth: target.width, desiredHeight: target.height });
  try {
    const { image } = await decoder.decode();
    try {
      // The reduced DCT scale lands at or above the hint; the last step to the exact size is a small resize.
      return await createImageBitmap(image, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' });
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

/**
 * Decodes straight to the working size when the header gives the size and the image is larger
 * than that, so no full-size bitmap is made: a huge PNG by our streaming decoder in a worker
 * (browsers decode PNG at full size whatever size is asked for), JPEG through ImageDecoder with a
 * size hint; other formats through createImageBitmap's resize options (Chromium still decodes
 * those at full size inside, then scales). Null when no scaling is needed.
 */
async function decodeAtWorkingSize(
  file: Blob,
  header: ImageHeader & { width: number; height: number },
  options: DecodeOptions,
): Promise<DecodedImage | null> {
  const original = orientedSize(header);
  const target = fitWithin(original.width, original.height, options.maxSide);
  if (target.width === original.width && target.height === original.height) return null;
  if (header.kind === 'png' && header.width * header.height > PNG_STREAM_MIN_PIXELS && typeof Worker !== 'undefined') {
    const png = await decodePngInWorker(file, options.maxSide).catch((e: unknown) => {
      // A damaged file is reported as such; anything else (no worker…) falls back to the browser's decoder.
      if (e instanceof Error && e.name === 'BadImageError') throw new BadImageError(e.message);
      return null;
    });
    if (png) return { ...png, isScaled: true, kind: 'png' };
  }
  const jpeg = header.kind === 'jpeg' ? await decodeJpegReduced(file, target) : null;
  const bitmap = jpeg ?? await createImageBitmap(file, {
    imageOrientation: 'from-image',
    resizeWidth: target.width,
    resizeHeight: target.height,
    resizeQuality: 'high',
  });
  return { bitmap, ...target, originalWidth: original.width, originalHeight: original.height, isScaled: true, kind: header.kind };
}

/** Decodes `file` (EXIF orientation applied) at most `maxSide` pixels on its long side. */
export async function decodeImageFile(file: Blob, options: DecodeOptions): Promise<DecodedImage> {
  if (file.size === 0) throw new BadImageError('The file is empty (0 bytes).');
  if (file.size > MAX_FILE_BYTES) {
    throw new BadImageError(`The file is too large (${(file.size / 1048576).toFixed(0)} MB); the limit is ${MAX_FILE_BYTES / 1048576} MB.`);
  }
  const header = sniffImage(new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer()));
  if (header.kind === 'unknown') throw new BadImageError('This file is not an image this app can read (PNG, JPEG, GIF, WebP, BMP, AVIF or SVG).');
  if (header.kind === 'heic') {
    throw new BadImageError('HEIC/HEIF images cannot be decoded by this browser. Please convert it to JPEG or PNG first.');
  }
  const damaged = () =>
    new BadImageError(`The ${header.kind.toUpperCase()} file could not be decoded: it is damaged or truncated, or in a variant this browser does not support.`);
  if (header.width !== null && header.height !== null) {
    checkImageSize(header.width, header.height, options);
    const direct = await decodeAtWorkingSize(file, header as ImageHeader & { width: number; height: number }, options).catch(() => {
      throw damaged();
    });
    if (direct) return direct;
  }

  let full: ImageBitmap;
  try {
    full = header.kind === 'svg' ? await decodeSvg(file) : await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw damaged();
  }
  const originalWidth = full.width;
  const originalHeight = full.height;
  let target: { width: number; height: number };
  try {
    target = checkImageSize(originalWidth, originalHeight, options);
  } catch (e) {
    full.close();
    throw e;
  }
  if (target.width === originalWidth && target.height === originalHeight) {
    return { bitmap: full, width: originalWidth, height: originalHeight, originalWidth, originalHeight, isScaled: false, kind: header.kind };
  }
  try {
    const bitmap = await createImageBitmap(full, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' });
    return { bitmap, ...target, originalWidth, originalHeight, isScaled: true, kind: header.kind };
  } finally {
    full.close();
  }
}

/** Formats that can carry transparency. */
const MAY_HAVE_ALPHA: ReadonlySet<ImageKind> = new Set<ImageKind>(['png', 'gif', 'webp', 'avif', 'bmp', 'svg']);

/**
 * The image composited over an opaque `background` (a CSS colour), so its
 * transparent parts look the same on screen, in a worker that drops alpha and
 * in a download. Closes the input's bitmap when it makes a new one; returns the
 * input as it is for formats without alpha or where there is no OffscreenCanvas.
 */
export function flattenOnto(decoded: DecodedImage, background: string): DecodedImage {
  if (!MAY_HAVE_ALPHA.has(decoded.kind) || typeof OffscreenCanvas === 'undefined') return decoded;
  const canvas = new OffscreenCanvas(decoded.width, decoded.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return decoded;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, decoded.width, decoded.height);
  ctx.drawImage(decoded.bitmap, 0, 0);
  const bitmap = canvas.transferToImageBitmap();
  decoded.bitmap.close();
  return { ...decoded, bitmap };
}
