import { useCallback, useEffect, useId, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { preprocessRgba } from '../../engine/image/mnist-preprocess';
import { DRAWING_SIDE, useDrawingStore, type DrawingOp } from '../../state/drawing-store';
import { useExplainStore } from '../../state/explain-store';
import { get2d } from './canvas-utils';
import { grayOf, grayToImageData, inkBytes, paintOp } from './stroke-paint';
import { usePointerStrokes } from './use-pointer-strokes';

/** Side of the drawing raster in canvas pixels (ten per model pixel). */
export const DRAW_SIZE = DRAWING_SIDE;
const DEFAULT_BRUSH = 20;
const MAX_UNDO = 40;
/** Side of the copy the preprocessing reads (4 pixels per model pixel). */
const READ_SIZE = 112;

let sampler: CanvasRenderingContext2D | null | undefined;
/** A small 2D canvas, made once, to downscale the drawing into (null where there is no 2D canvas, e.g. jsdom). */
function sampleCanvas(source: HTMLCanvasElement | null): CanvasRenderingContext2D | null {
  if (!source) return null;
  if (sampler === undefined) {
    const canvas = document.createElement('canvas');
    canvas.width = READ_SIZE;
    canvas.height = READ_SIZE;
    sampler = get2d(canvas, true);
    if (sampler) sampler.imageSmoothingQuality = 'high';
  }
  return sampler;
}

/** Longest time between reading the drawing while a stroke goes on (ms). */
const COMMIT_INTERVAL_MS = 90;

/** What the panel can do to the drawing besides the user's strokes. */
export interface DrawingSurface {
  /** Replaces the drawing with `ink01` (w × h, [0, 1], light on dark), fitted and centred; undoable. */
  paintInk(ink01: Float32Array, width: number, height: number): void;
}

interface DrawCanvasProps {
  ref?: Ref<DrawingSurface>;
  /** Ctrl/Cmd+Z undoes only while the panel is visible. */
  isActive: boolean;
}

/**
 * White-on-black drawing with mouse, touch and pen (Pointer Events), brush size, undo and clear.
 * Every change is also recorded as an operation in the drawing store (the session keeps it), and
 * `history[i]` is the raster before `ops[i]`, so undo pops both and a restored document is replayed
 * into the same undo history.
 */
export function DrawCanvas({ ref, isActive }: DrawCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const history = useRef<ImageData[]>([]);
  const frame = useRef<number | null>(null);
  const [undoCount, setUndoCount] = useState(0);
  const [brush, setBrush] = useState(DEFAULT_BRUSH);
  const setPixels = useExplainStore((s) => s.setPixels);
  const hintId = useId();

  const commit = useCallback(() => {
    const canvas = canvasRef.current;
    const small = sampleCanvas(canvas);
    if (!canvas || !small) return;
    // The browser's own smoothed downscale to READ_SIZE first: the preprocessing (crop, fit
    // into 20×20, centre of mass) then handles 6× fewer pixels on the main thread.
    small.clearRect(0, 0, READ_SIZE, READ_SIZE);
    small.drawImage(canvas, 0, 0, READ_SIZE, READ_SIZE);
    try {
      setPixels(preprocessRgba(small.getImageData(0, 0, READ_SIZE, READ_SIZE).data, READ_SIZE, READ_SIZE));
    } catch (e) {
      if (e instanceof Error && e.name === 'EmptyInputError') setPixels(null);
      else throw e;
    }
  }, [setPixels]);

  // While a stroke goes on, the drawing is read and preprocessed at most every COMMIT_INTERVAL_MS
  // (not at every animation frame), which keeps the main thread's tasks short.
  const lastCommit = useRef(0);
  const scheduleCommit = useCallback(() => {
    if (frame.current !== null) return;
    const wait = Math.max(0, lastCommit.current + COMMIT_INTERVAL_MS - performance.now());
    const id = window.setTimeout(() => {
      requestAnimationFrame(() => {
        if (frame.current !== id) return; // committed already at the stroke's end
        frame.current = null;
        lastCommit.current = performance.now();
        commit();
      });
    }, wait);
    frame.current = id;
  }, [commit]);

  /** At the end of a stroke the drawing is read at once, so no read trails after it. */
  const commitNow = useCallback(() => {
    if (frame.current !== null) clearTimeout(frame.current);
    frame.current = null;
    lastCommit.current = performance.now();
    commit();
  }, [commit]);

  const snapshot = useCallback(() => {
    const ctx = get2d(canvasRef.current, true);
    if (!ctx) return;
    history.current.push(ctx.getImageData(0, 0, DRAW_SIZE, DRAW_SIZE));
    setUndoCount(history.current.length);
  }, []);

  /** Records the op that the last snapshot came before; past MAX_UNDO the oldest is folded into the base. */
  const record = useCallback((op: DrawingOp) => {
    const drawing = useDrawingStore.getState();
    drawing.push(op);
    if (history.current.length > MAX_UNDO) {
      history.current.shift();
      setUndoCount(history.current.length);
      drawing.foldOldest(grayOf(history.current[0]!.data));
    }
  }, []);

  const fillBlack = (ctx: CanvasRenderingContext2D) => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, DRAW_SIZE, DRAW_SIZE);
  };

  const undo = useCallback(() => {
    const ctx = get2d(canvasRef.current, true);
    const previous = history.current.pop();
    setUndoCount(history.current.length);
    if (!ctx || !previous) return;
    useDrawingStore.getState().pop();
    ctx.putImageData(previous, 0, 0);
    commit();
  }, [commit]);

  const clear = () => {
    const ctx = get2d(canvasRef.current, true);
    if (ctx) {
      snapshot();
      fillBlack(ctx);
      record({ kind: 'clear' });
    }
    setPixels(null);
  };

  // Renders the stored document (at start, after a restore or a fresh start): base, then each op,
  // keeping the raster before each op as its undo step.
  const loadedVersion = useDrawingStore((s) => s.loadedVersion);
  useEffect(() => {
    const ctx = get2d(canvasRef.current, true);
    if (!ctx) return;
    const { doc } = useDrawingStore.getState();
    history.current = [];
    if (doc.base && doc.side === DRAW_SIZE) ctx.putImageData(grayToImageData(doc.base, DRAW_SIZE), 0, 0);
    else fillBlack(ctx);
    for (const op of doc.ops) {
      history.current.push(ctx.getImageData(0, 0, DRAW_SIZE, DRAW_SIZE));
      paintOp(ctx, op);
    }
    setUndoCount(history.current.length);
    if (doc.base || doc.ops.length > 0) commit();
  }, [loadedVersion, commit]);

  useEffect(
    () => () => {
      if (frame.current !== null) clearTimeout(frame.current);
    },
    [],
  );

  useEffect(() => {
    if (!isActive) return;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, select, textarea')) return;
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        undo();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [isActive, undo]);

  useImperativeHandle(ref, () => ({
    paintInk(ink01, width, height) {
      const ctx = get2d(canvasRef.current, true);
      if (!ctx) return;
      snapshot();
      const ink = inkBytes(ink01);
      const op: DrawingOp = { kind: 'ink', width, height, ink };
      paintOp(ctx, op);
      record(op);
      commit();
    },
  }), [commit, snapshot, record]);

  const onStrokeEnd = useCallback(
    (points: Float32Array) => {
      record({ kind: 'stroke', points });
      commitNow();
    },
    [record, commitNow],
  );
  const handlers = usePointerStrokes(canvasRef, { size: DRAW_SIZE, brush, onStrokeStart: snapshot, onInk: scheduleCommit, onStrokeEnd });

  return (
    <div className="draw">
      <canvas
        ref={canvasRef}
        className="draw-canvas"
        width={DRAW_SIZE}
        height={DRAW_SIZE}
        data-testid="draw-canvas"
        aria-label="Drawing area: draw a digit with the mouse, a finger or a pen"
        aria-describedby={hintId}
        role="img"
        // Focusable so keyboard users learn their alternatives (below) and can clear or undo from here.
        tabIndex={0}
        onKeyDown={(e) => {
          if (e.key === 'Delete' || e.key === 'Backspace') {
            e.preventDefault();
            clear();
          }
        }}
        {...handlers}
      />
      <p id={hintId} className="draw-keyboard-hint">
        No mouse or touch? Upload an image of a digit with the button below, or paste one (Ctrl+V). Delete clears the drawing, Ctrl+Z undoes.
      </p>
      <div className="draw-tools">
        <label className="brush">
          <span>Brush</span>
          <input type="range" min={6} max={40} step={1} value={brush} onChange={(e) => setBrush(Number(e.target.value))} aria-valuetext={`${brush} pixels`} />
          <span className="brush-dot" style={{ width: brush / 2, height: brush / 2 }} aria-hidden="true" />
        </label>
        <button type="button" className="btn" onClick={undo} disabled={undoCount === 0} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" className="btn" onClick={clear} data-testid="draw-clear">
          Clear
        </button>
      </div>
    </div>
  );
}
