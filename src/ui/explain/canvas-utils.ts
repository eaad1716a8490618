/**
 * Small canvas helpers for the Explain panel. Every one tolerates a missing
 * 2D context (jsdom, a browser that refuses one): it then draws nothing.
 */

const contexts = new WeakMap<HTMLCanvasElement, CanvasRenderingContext2D | null>();

/**
 * The canvas's 2D context, or null where there is none. Cached per canvas:
 * getContext is called on every pointer move, and its cost adds up there.
 */
export function get2d(canvas: HTMLCanvasElement | null, willReadFrequently = false): CanvasRenderingContext2D | null {
  if (!canvas) return null;
  const cached = contexts.get(canvas);
  if (cached) return cached;
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    ctx = canvas.getContext('2d', { willReadFrequently });
  } catch {
    ctx = null;
  }
  if (ctx) contexts.set(canvas, ctx);
  return ctx;
}

/** How bright the digit is drawn under an overlay (so the colours stand out); the overlay legend shows it too. */
export const OVERLAY_DIGIT_LEVEL = 0.45;

/** Grayscale [0, 1] → RGBA bytes, scaled by `level` (dims the digit under an overlay). */
export function grayToRgba(pixels01: ArrayLike<number>, level = 1): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(pixels01.length * 4);
  for (let i = 0; i < pixels01.length; i++) {
    const v = Math.round(255 * level * pixels01[i]!);
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/**
 * Draws RGBA bytes (w × h) onto `ctx` scaled to the rectangle (default: the
 * whole canvas), without smoothing unless asked (each model pixel stays a
 * crisp square). Transparent pixels blend over what is already there.
 */
export function drawRgba(
  ctx: CanvasRenderingContext2D,
  rgba: Uint8ClampedArray<ArrayBuffer>,
  width: number,
  height: number,
  rect: { x: number; y: number; w: number; h: number } = { x: 0, y: 0, w: ctx.canvas.width, h: ctx.canvas.height },
  smooth = false,
): void {
  const tmp = document.createElement('canvas');
  tmp.width = width;
  tmp.height = height;
  const tctx = get2d(tmp);
  if (!tctx) return;
  tctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  if (smooth) ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(tmp, rect.x, rect.y, rect.w, rect.h);
}

/** Reads an ImageBitmap's RGBA bytes through a scratch canvas; null where there is no 2D context. */
export function bitmapPixels(bitmap: ImageBitmap): Uint8ClampedArray | null {
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = get2d(canvas, true);
  if (!ctx) return null;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
}

/** Paints ink (w × h, [0, 1], light on dark) as gray onto a black canvas, fitted with its aspect kept and centred. */
export function paintInkFitted(ctx: CanvasRenderingContext2D, ink01: Float32Array, width: number, height: number): void {
  const size = ctx.canvas.width;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, size, ctx.canvas.height);
  const scale = Math.min(size / width, ctx.canvas.height / height);
  const w = width * scale;
  const h = height * scale;
  drawRgba(ctx, grayToRgba(ink01), width, height, { x: (size - w) / 2, y: (ctx.canvas.height - h) / 2, w, h }, true);
}
