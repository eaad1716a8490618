/**
 * Photographs of handwritten digits, made in code for tests: an MNIST digit
 * (28×28, light on dark) rendered as dark pen ink on paper that is tinted,
 * textured (value noise plus grain) and unevenly lit (a linear gradient and
 * a vignette), rotated a little, at a chosen size and position. Seeded, so
 * every run makes the same pictures.
 */
import { createRng } from '../../dream/jitter';

export interface PhotoOptions {
  width: number;
  height: number;
  /** Height of the digit's 28×28 field on the photo, in pixels. */
  digitSide: number;
  /** Rotation in degrees. */
  rotation: number;
  seed: number;
  /** The same digit, place and rotation on flat white paper in black ink (the control: a clean scan). */
  isClean?: boolean;
}

const PAPERS: readonly [number, number, number][] = [
  [246, 236, 210], // cream
  [226, 234, 246], // bluish
  [222, 222, 214], // grey recycled
  [250, 244, 232], // warm white
];
const INKS: readonly [number, number, number][] = [
  [28, 42, 128], // blue ballpoint
  [22, 22, 28], // black felt-tip
  [40, 40, 70], // dark blue-black
];

/** Bilinear sample of a 28×28 image at continuous (x, y) (pixel centres at i + 0.5); 0 outside. */
function sample28(d: ArrayLike<number>, x: number, y: number): number {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx > 27 || yy > 27 ? 0 : d[yy * 28 + xx]!);
  const ax = fx - x0;
  const ay = fy - y0;
  return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0)) + ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1));
}

/** RGBA bytes of the photo of `digit01` (784 values, light on dark). */
export function digitPhoto(digit01: ArrayLike<number>, opts: PhotoOptions): Uint8ClampedArray {
  const { width, height, digitSide, rotation, seed } = opts;
  const rng = createRng(seed);
  const paper = PAPERS[Math.floor(rng() * PAPERS.length)]!;
  const ink = INKS[Math.floor(rng() * INKS.length)]!;
  // Lighting: a linear gradient in a random direction (0.55 … 1) times a soft vignette.
  const angle = rng() * 2 * Math.PI;
  const gx = Math.cos(angle);
  const gy = Math.sin(angle);
  const lightLow = 0.55 + 0.15 * rng();
  // Texture: value noise on a coarse grid, interpolated, plus per-pixel grain.
  const cell = 6 + Math.floor(rng() * 6);
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, () => rng() * 2 - 1);
  const noiseAt = (x: number, y: number) => {
    const cx = x / cell;
    const cy = y / cell;
    const i = Math.floor(cx);
    const j = Math.floor(cy);
    const u = cx - i;
    const v = cy - j;
    const g = (a: number, b: number) => grid[b * gw + a]!;
    return (1 - v) * ((1 - u) * g(i, j) + u * g(i + 1, j)) + v * ((1 - u) * g(i, j + 1) + u * g(i + 1, j + 1));
  };
  // Where the digit goes: anywhere it fits (with its rotation's margin).
  const margin = digitSide * 0.62;
  const cxDigit = margin + rng() * Math.max(0, width - 2 * margin);
  const cyDigit = margin + rng() * Math.max(0, height - 2 * margin);
  const cos = Math.cos((rotation * Math.PI) / 180);
  const sin = Math.sin((rotation * Math.PI) / 180);
  const scale = 28 / digitSide;
  const strength = 0.85 + 0.15 * rng();
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = ((x / width - 0.5) * gx + (y / height - 0.5) * gy) + 0.5;
      const r2 = ((x - width / 2) / width) ** 2 + ((y - height / 2) / height) ** 2;
      const light = (lightLow + (1 - lightLow) * Math.min(1, Math.max(0, t))) * (1 - 0.35 * r2);
      const texture = 1 + 0.05 * noiseAt(x, y) + 0.03 * (rng() * 2 - 1);
      // Inverse-rotate the photo pixel into the digit's frame.
      const dx = x + 0.5 - cxDigit;
      const dy = y + 0.5 - cyDigit;
      const u = (cos * dx + sin * dy) * scale + 14;
      const v = (-sin * dx + cos * dy) * scale + 14;
      const a = Math.min(1, strength * sample28(digit01, u, v));
      if (opts.isClean) {
        const g = 255 * (1 - a);
        out.set([g, g, g, 255], 4 * (y * width + x));
        continue;
      }
      for (let c = 0; c < 3; c++) out[4 * (y * width + x) + c] = (paper[c]! * (1 - a) + ink[c]! * a) * light * texture;
      out[4 * (y * width + x) + 3] = 255;
    }
  }
  return out;
}
