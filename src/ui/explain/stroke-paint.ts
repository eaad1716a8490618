/**
 * How a stroke is painted: a dot where it starts, quadratic curves through the
 * midpoints of successive points, a straight end to the last point. Used both
 * live (point by point, as the pointer moves) and to replay a stored stroke,
 * so a drawing restored after a reload has the very same pixels.
 */
import type { DrawingOp } from '../../state/drawing-store';
import { paintInkFitted } from './canvas-utils';

export interface Point {
  x: number;
  y: number;
}

export function paintDot(ctx: CanvasRenderingContext2D, p: Point, width: number): void {
  ctx.fillStyle = '#fff';
  ctx.beginPath();
  ctx.arc(p.x, p.y, width / 2, 0, 2 * Math.PI);
  ctx.fill();
}

/** Curve from the previous midpoint through `last` to the midpoint of `last` and `p`; returns that midpoint. */
export function paintSegment(ctx: CanvasRenderingContext2D, mid: Point, last: Point, p: Point, width: number): Point {
  const next = { x: (last.x + p.x) / 2, y: (last.y + p.y) / 2 };
  ctx.strokeStyle = '#fff';
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(mid.x, mid.y);
  ctx.quadraticCurveTo(last.x, last.y, next.x, next.y);
  ctx.stroke();
  return next;
}

export function paintEnd(ctx: CanvasRenderingContext2D, mid: Point, last: Point, width: number): void {
  ctx.strokeStyle = '#fff';
  ctx.lineCap = 'round';
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(mid.x, mid.y);
  ctx.lineTo(last.x, last.y);
  ctx.stroke();
}

/** Replays a stored stroke (x, y, width triples). */
export function paintStroke(ctx: CanvasRenderingContext2D, points: Float32Array): void {
  if (points.length < 3) return;
  let last = { x: points[0]!, y: points[1]! };
  let mid = last;
  let width = points[2]!;
  paintDot(ctx, last, width);
  for (let i = 3; i + 2 < points.length; i += 3) {
    const p = { x: points[i]!, y: points[i + 1]! };
    width = points[i + 2]!;
    mid = paintSegment(ctx, mid, last, p, width);
    last = p;
  }
  paintEnd(ctx, mid, last, width);
}

/** Applies one drawing operation to the canvas. */
export function paintOp(ctx: CanvasRenderingContext2D, op: DrawingOp): void {
  switch (op.kind) {
    case 'stroke':
      paintStroke(ctx, op.points);
      return;
    case 'clear':
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      return;
    case 'ink': {
      const ink01 = new Float32Array(op.ink.length);
      for (let i = 0; i < ink01.length; i++) ink01[i] = op.ink[i]! / 255;
      paintInkFitted(ctx, ink01, op.width, op.height);
      return;
    }
  }
}

/** Ink in [0, 1] → bytes, rounded as grayToRgba rounds them, so painting either gives the same pixels. */
export function inkBytes(ink01: Float32Array): Uint8Array {
  const out = new Uint8Array(ink01.length);
  for (let i = 0; i < ink01.length; i++) out[i] = Math.round(255 * Math.min(1, Math.max(0, ink01[i]!)));
  return out;
}

/** The red channel of a gray raster's RGBA (what a base stores). */
export function grayOf(rgba: Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i]!;
  return out;
}

/** Gray bytes → opaque RGBA ImageData. */
export function grayToImageData(gray: Uint8Array, side: number): ImageData {
  const rgba = new Uint8ClampedArray(side * side * 4);
  for (let i = 0; i < gray.length; i++) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray[i]!;
    rgba[4 * i + 3] = 255;
  }
  return new ImageData(rgba, side, side);
}
