/**
 * The Explain drawing as a document: an optional base raster and the list of
 * operations drawn on it since (strokes as points, clears, pasted images).
 * The drawing canvas renders it and records into it; undo drops the last
 * operation. Kept as data (not pixels) so the session can store it and a
 * reload replays it, with Undo still working. Plain data only.
 */
import { create } from 'zustand';

/** A pen stroke: x, y, width triples in canvas pixels, in the order drawn. */
export interface StrokeOp {
  kind: 'stroke';
  points: Float32Array;
}
export interface ClearOp {
  kind: 'clear';
}
/** An uploaded image painted fitted and centred: ink bytes (0..255, light on dark), width × height. */
export interface InkOp {
  kind: 'ink';
  width: number;
  height: number;
  ink: Uint8Array;
}
export type DrawingOp = StrokeOp | ClearOp | InkOp;

export interface DrawingDoc {
  /** side × side gray bytes under the first op (older ops folded in); null = black. */
  base: Uint8Array | null;
  /** Side of the raster the ops are drawn on. */
  side: number;
  ops: DrawingOp[];
}

export interface DrawingState {
  doc: DrawingDoc;
  /** Bumped when the doc is replaced from outside (restored, started fresh), so the canvas re-renders it. */
  loadedVersion: number;
  push: (op: DrawingOp) => void;
  /** Drops the last op (undo). */
  pop: () => void;
  /** Folds the oldest op into the base: `base` is the raster after it. */
  foldOldest: (base: Uint8Array) => void;
  /** Replaces the whole document (restore) and asks the canvas to render it. */
  load: (doc: DrawingDoc) => void;
}

export const DRAWING_SIDE = 280;
const EMPTY: DrawingDoc = { base: null, side: DRAWING_SIDE, ops: [] };

export const useDrawingStore = create<DrawingState>()((set) => ({
  doc: EMPTY,
  loadedVersion: 0,
  push: (op) => set((s) => ({ doc: { ...s.doc, ops: [...s.doc.ops, op] } })),
  pop: () => set((s) => ({ doc: { ...s.doc, ops: s.doc.ops.slice(0, -1) } })),
  foldOldest: (base) => set((s) => ({ doc: { ...s.doc, base, ops: s.doc.ops.slice(1) } })),
  load: (doc) => set((s) => ({ doc, loadedVersion: s.loadedVersion + 1 })),
}));

/** Whether `x` is a typed array of that kind (by tag, so arrays from another realm pass too). */
function isTyped(x: unknown, tag: 'Float32Array' | 'Uint8Array'): boolean {
  return ArrayBuffer.isView(x) && Object.prototype.toString.call(x) === `[object ${tag}]`;
}

/** Checks a stored document's shape (it came from storage, so it is not trusted). */
export function isDrawingDoc(x: unknown): x is DrawingDoc {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as DrawingDoc;
  if (d.side !== DRAWING_SIDE || !Array.isArray(d.ops)) return false;
  if (d.base !== null && !(isTyped(d.base, 'Uint8Array') && d.base.length === d.side * d.side)) return false;
  return d.ops.every(
    (op) =>
      (op.kind === 'clear') ||
      (op.kind === 'stroke' && isTyped(op.points, 'Float32Array') && op.points.length % 3 === 0 && op.points.length > 0) ||
      (op.kind === 'ink' && isTyped(op.ink, 'Uint8Array') && Number.isInteger(op.width) && Number.isInteger(op.height) && op.width > 0 && op.height > 0 && op.ink.length === op.width * op.height),
  );
}

/** Back to an empty drawing (start fresh, tests). */
export function resetDrawing(): void {
  useDrawingStore.getState().load(EMPTY);
}
