import { useRef, type PointerEvent, type RefObject } from 'react';
import { get2d } from './canvas-utils';

interface Point {
  x: number;
  y: number;
}

interface StrokeOptions {
  /** Side of the square raster in canvas pixels. */
  size: number;
  /** Brush diameter in canvas pixels (a pen's pressure scales it). */
  brush: number;
  /** Called once as a stroke starts (before any ink), e.g. to save an undo snapshot. */
  onStrokeStart: () => void;
  /** Called whenever ink was added. */
  onInk: () => void;
  /** The stroke ended (pointer up or cancelled): the drawing is final for now. */
  onStrokeEnd: () => void;
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
  const stroke = useRef<{ id: number; last: Point; mid: Point; rect: DOMRect } | null>(null);
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
    stroke.current = { id: e.pointerId, last: p, mid: p, rect };
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(p.x, p.y, widthFor(e) / 2, 0, 2 * Math.PI);
    ctx.fill();
    onInk();
  };

  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const ctx = get2d(canvasRef.current, true);
    const s = stroke.current;
    if (!ctx || !s || s.id !== e.pointerId) return;
    ctx.strokeStyle = '#fff';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    const coalesced = e.nativeEvent.getCoalescedEvents?.() ?? [];
    for (const ev of coalesced.length > 0 ? coalesced : [e.nativeEvent]) {
      const p = toCanvas(ev, s.rect);
      const mid = { x: (s.last.x + p.x) / 2, y: (s.last.y + p.y) / 2 };
      ctx.lineWidth = widthFor(ev);
      ctx.beginPath();
      ctx.moveTo(s.mid.x, s.mid.y);
      ctx.quadraticCurveTo(s.last.x, s.last.y, mid.x, mid.y);
      ctx.stroke();
      s.last = p;
      s.mid = mid;
    }
    onInk();
  };

  const onPointerEnd = (e: PointerEvent<HTMLCanvasElement>) => {
    const s = stroke.current;
    if (!s || s.id !== e.pointerId) return;
    const ctx = get2d(canvasRef.current, true);
    if (ctx) {
      ctx.beginPath();
      ctx.moveTo(s.mid.x, s.mid.y);
      ctx.lineTo(s.last.x, s.last.y);
      ctx.stroke();
    }
    stroke.current = null;
    onStrokeEnd();
  };

  return { onPointerDown, onPointerMove, onPointerUp: onPointerEnd, onPointerCancel: onPointerEnd };
}
