import { useRef, type PointerEvent, type RefObject } from 'react';
import { get2d } from './canvas-utils';
import { paintDot, paintEnd, paintSegment, type Point } from './stroke-paint';

interface StrokeOptions {
  /** Side of the square raster in canvas pixels. */
  size: number;
  /** Brush diameter in canvas pixels (a pen's pressure scales it). */
  brush: number;
  /** Called once as a stroke starts (before any ink), e.g. to save an undo snapshot. */
  onStrokeStart: () => void;
  /** Called whenever ink was added. */
  onInk: () => void;
  /** The stroke ended (pointer up or cancelled): the drawing is final for now. `points`: x, y, width triples drawn. */
  onStrokeEnd: (points: Float32Array) => void;
}

/**
 * Pointer Events drawing (mouse, touch, pen) of white round-capped strokes on
 * a canvas: pointer capture so a stroke continues outside the canvas, one
 * pointer at a time, coalesced events for fast strokes, and quadratic curves
 * through the midpoints of successive points so lines come out smooth.
 */
export function usePointerStrokes(canvasRef: RefObject<HTMLCanvasElement | null>, options: StrokeOptions) {
  // The canvas rectangle is read once per stroke: reading it on every move would force a layout
  // each time React has touched the page in between.
  const stroke = useRef<{ id: number; last: Point; mid: Point; width: number; rect: DOMRect; points: number[] } | null>(null);
  const { size, brush, onStrokeStart, onInk, onStrokeEnd } = options;

  const toCanvas = (e: { clientX: number; clientY: number }, rect: DOMRect): Point => {
    return { x: ((e.clientX - rect.left) * size) / (rect.width || size), y: ((e.clientY - rect.top) * size) / (rect.height || size) };
  };
  const widthFor = (e: { pointerType: string; pressure: number }) =>
    e.pointerType === 'pen' && e.pressure > 0 ? brush * (0.4 + 1.2 * e.pressure) : brush;

  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    const ctx = get2d(canvasRef.current, true);
    if (!ctx || stroke.current || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    canvasRef.current?.setPointerCapture?.(e.pointerId);
    onStrokeStart();
    const rect = canvasRef.current!.getBoundingClientRect();
    const p = toCanvas(e, rect);
    const width = widthFor(e);
    stroke.current = { id: e.pointerId, last: p, mid: p, width, rect, points: [p.x, p.y, width] };
    paintDot(ctx, p, width);
    onInk();
  };

  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const ctx = get2d(canvasRef.current, true);
    const s = stroke.current;
    if (!ctx || !s || s.id !== e.pointerId) return;
    const coalesced = e.nativeEvent.getCoalescedEvents?.() ?? [];
    for (const ev of coalesced.length > 0 ? coalesced : [e.nativeEvent]) {
      const p = toCanvas(ev, s.rect);
      s.width = widthFor(ev);
      s.mid = paintSegment(ctx, s.mid, s.last, p, s.width);
      s.last = p;
      s.points.push(p.x, p.y, s.width);
    }
    onInk();
  };

  const onPointerEnd = (e: PointerEvent<HTMLCanvasElement>) => {
    const s = stroke.current;
    if (!s || s.id !== e.pointerId) return;
    const ctx = get2d(canvasRef.current, true);
    if (ctx) paintEnd(ctx, s.mid, s.last, s.width);
    stroke.current = null;
    onStrokeEnd(Float32Array.from(s.points));
  };

  return { onPointerDown, onPointerMove, onPointerUp: onPointerEnd, onPointerCancel: onPointerEnd };
}
