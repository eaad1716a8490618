/**
 * Digits drawn as a person draws them on the Explain canvas, made in code for
 * tests: one or two strokes per digit (polylines in the unit square), each
 * point jittered, the whole shape slanted and scaled a little, painted with
 * a round brush on a 280×280 black canvas, then read at 112×112 as the
 * drawing canvas does (draw-canvas.tsx), so the result can go through
 * preprocessGray01 like a real drawing.
 */
import { createRng } from '../../dream/jitter';

type Stroke = readonly (readonly [number, number])[];

const arc = (cx: number, cy: number, rx: number, ry: number, from: number, to: number, n = 14): [number, number][] =>
  Array.from({ length: n + 1 }, (_, i) => {
    const a = from + ((to - from) * i) / n;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });

/** Stroke templates of the ten digits (y grows downwards). */
export const DIGIT_STROKES: readonly (readonly Stroke[])[] = [
  [arc(0.5, 0.5, 0.22, 0.32, -Math.PI / 2, (3 * Math.PI) / 2, 20)],
  [[[0.42, 0.26], [0.52, 0.18], [0.52, 0.82]]],
  [[...arc(0.5, 0.35, 0.2, 0.16, Math.PI, 2.2 * Math.PI, 10), [0.3, 0.8], [0.72, 0.8]]],
  [[...arc(0.48, 0.33, 0.2, 0.15, -0.8 * Math.PI, 0.5 * Math.PI, 10), ...arc(0.48, 0.66, 0.22, 0.17, -0.5 * Math.PI, 0.8 * Math.PI, 10)]],
  [[[0.6, 0.2], [0.3, 0.6], [0.75, 0.6]], [[0.6, 0.35], [0.6, 0.85]]],
  [[[0.7, 0.2], [0.38, 0.2], [0.35, 0.47], ...arc(0.5, 0.63, 0.2, 0.18, -0.6 * Math.PI, 0.8 * Math.PI, 12)]],
  [[[0.62, 0.18], ...arc(0.5, 0.64, 0.19, 0.18, -0.8 * Math.PI, 1.2 * Math.PI, 16)]],
  [[[0.28, 0.2], [0.72, 0.2], [0.5, 0.5], [0.42, 0.82]]],
  [[...arc(0.5, 0.32, 0.16, 0.14, 0.5 * Math.PI, 2.5 * Math.PI, 14), ...arc(0.5, 0.66, 0.2, 0.18, -0.5 * Math.PI, 1.5 * Math.PI, 14)]],
  [[...arc(0.5, 0.36, 0.18, 0.16, 0.1 * Math.PI, 2.1 * Math.PI, 14), [0.66, 0.45], [0.6, 0.84]]],
];

const CANVAS = 280;
const READ = 112;

/** A drawing of `digit` (0–9) as 112×112 grayscale [0, 1], white on black, from `seed`. */
export function drawnDigit(digit: number, seed: number): { gray01: Float32Array; width: number; height: number } {
  const rng = createRng(seed);
  const brush = 14 + rng() * 14; // the canvas's brush sizes around its default 20
  const slant = (rng() - 0.5) * 0.4;
  const scale = 0.75 + rng() * 0.35;
  const ox = (rng() - 0.5) * 0.2;
  const oy = (rng() - 0.5) * 0.15;
  const canvas = new Float32Array(CANVAS * CANVAS);
  const r = brush / 2;
  const dab = (px: number, py: number) => {
    for (let y = Math.max(0, Math.floor(py - r - 1)); y <= Math.min(CANVAS - 1, Math.ceil(py + r + 1)); y++) {
      for (let x = Math.max(0, Math.floor(px - r - 1)); x <= Math.min(CANVAS - 1, Math.ceil(px + r + 1)); x++) {
        const d = Math.hypot(x + 0.5 - px, y + 0.5 - py);
        const cover = Math.min(1, Math.max(0, r + 0.5 - d)); // anti-aliased edge
        if (cover > canvas[y * CANVAS + x]!) canvas[y * CANVAS + x] = cover;
      }
    }
  };
  for (const stroke of DIGIT_STROKES[digit]!) {
    const pts = stroke.map(([x, y]) => {
      const jx = x + (rng() - 0.5) * 0.03;
      const jy = y + (rng() - 0.5) * 0.03;
      const sx = 0.5 + (jx - 0.5 + slant * (0.5 - jy)) * scale + ox;
      const sy = 0.5 + (jy - 0.5) * scale + oy;
      return [sx * CANVAS, sy * CANVAS] as const;
    });
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1]!;
      const [x1, y1] = pts[i]!;
      const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 2));
      for (let k = 0; k <= n; k++) dab(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n);
    }
  }
  const f = CANVAS / READ;
  const gray01 = new Float32Array(READ * READ);
  for (let y = 0; y < CANVAS; y++) {
    for (let x = 0; x < CANVAS; x++) gray01[Math.floor(y / f) * READ + Math.floor(x / f)] += canvas[y * CANVAS + x]! / (f * f);
  }
  return { gray01, width: READ, height: READ };
}
