/**
 * Ink from a photograph of handwriting: the step MNIST's preprocessing
 * (mnist-preprocess.ts) assumes is already done, a clean background.
 *
 * 1. Work at a bounded size (long side ≤ PHOTO_WORK_SIDE, area-averaged), so
 *    the whole clean-up stays a few milliseconds even on the main thread.
 * 2. Background (the paper, with its uneven lighting and tint): a grey-level
 *    closing (max then min filter, radius ≈ 6 % of the long side) removes the
 *    dark strokes, and a large box blur (three passes ≈ a Gaussian) smooths
 *    what is left. This is the classic "rolling ball"/"large blur subtracted"
 *    background estimate of document imaging.
 * 3. Ink = (background − pixel) / background: subtracting removes the
 *    shading, dividing undoes the lighting's gain, so a stroke in the shade
 *    is as dark as one in the light.
 * 4. Otsu's threshold (Otsu 1979, "A threshold selection method from
 *    gray-level histograms") on the ink histogram separates ink from paper
 *    texture; it is never allowed below MIN_INK_THRESHOLD.
 * 5. Connected components (8-neighbour) of the thresholded ink: the largest
 *    is the digit's body, and only components of at least a tenth of its
 *    area that lie near it are kept (a 5's flag, a 4's detached stroke);
 *    specks, texture and shadows at the edges are dropped.
 * 6. The kept ink keeps its grey levels (anti-aliasing, as MNIST has),
 *    stretched so its strong strokes reach 1.
 *
 * Pure TypeScript on arrays; light-on-dark in, light-on-dark out.
 */

/** The long side the clean-up works at (ample for a 20×20 digit box). */
export const PHOTO_WORK_SIDE = 256;
/** Radius of the closing, as a fraction of the long side: wider than half of any digit stroke. */
const CLOSING_RADIUS_FRACTION = 0.06;
/** Ink below this relative darkness is paper whatever Otsu says (texture, JPEG noise). */
export const MIN_INK_THRESHOLD = 0.12;
/** A component counts as part of the digit when it has this fraction of the largest one's area… */
const MIN_PART_AREA = 0.1;
/** A component this large (relative to the largest) counts as a shape, not a speck, in `sizeableComponents`. */
const SIZEABLE_AREA = 0.02;
/** …and its box lies within the largest one's box grown by this fraction of its long side. */
const NEAR_FRACTION = 0.35;

export interface PhotoInk {
  /** Light ink on a black background, [0, 1], width × height row-major (the working size). */
  ink01: Float32Array;
  width: number;
  height: number;
  /** The Otsu threshold used (relative darkness, 0..1). */
  threshold: number;
  /** Connected components above the threshold, and how many were kept. */
  components: number;
  keptComponents: number;
  /** Components of at least SIZEABLE_AREA of the largest one's area (not specks): 1–2 for a digit, dozens for a scene. */
  sizeableComponents: number;
  /** Share of the thresholded ink (by pixel count) that was kept: near 1 for a digit, low for a cluttered photo. */
  keptFraction: number;
  /** Share of the working image covered by kept ink. */
  coverage: number;
}

/** Area-average downscale of a grayscale image so its long side is at most `maxSide` (a copy when already small). */
export function downscaleGray(gray: Float32Array, width: number, height: number, maxSide: number): { gray: Float32Array; width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= maxSide) return { gray: gray.slice(), width, height };
  const f = long / maxSide;
  const w = Math.max(1, Math.round(width / f));
  const h = Math.max(1, Math.round(height / f));
  const out = new Float32Array(w * h);
  const count = new Float32Array(w * h);
  for (let y = 0; y < height; y++) {
    const oy = Math.min(h - 1, Math.floor((y * h) / height));
    for (let x = 0; x < width; x++) {
      const o = oy * w + Math.min(w - 1, Math.floor((x * w) / width));
      out[o] += gray[y * width + x]!;
      count[o]++;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / Math.max(1, count[i]!);
  return { gray: out, width: w, height: h };
}

/**
 * Separable max (isMax) or min over a (2r+1)² window, clamped at the borders,
 * by van Herk / Gil–Werman: prefix and suffix extrema over blocks of 2r+1,
 * so each pixel costs three comparisons whatever r.
 */
export function rankFilter(src: Float32Array, width: number, height: number, r: number, isMax: boolean): Float32Array {
  const k = 2 * r + 1;
  const pass = (a: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(a.length);
    const len = horizontal ? width : height;
    const lines = horizontal ? height : width;
    const stride = horizontal ? 1 : width;
    const padded = len + 2 * r;
    const line = new Float32Array(padded);
    const pre = new Float32Array(padded);
    const suf = new Float32Array(padded);
    const fill = isMax ? -Infinity : Infinity;
    for (let l = 0; l < lines; l++) {
      const base = horizontal ? l * width : l;
      line.fill(fill);
      for (let i = 0; i < len; i++) line[i + r] = a[base + i * stride]!;
      for (let i = 0; i < padded; i++) {
        const v = line[i]!;
        pre[i] = i % k === 0 ? v : isMax ? Math.max(pre[i - 1]!, v) : Math.min(pre[i - 1]!, v);
      }
      for (let i = padded - 1; i >= 0; i--) {
        const v = line[i]!;
        suf[i] = i % k === k - 1 || i === padded - 1 ? v : isMax ? Math.max(suf[i + 1]!, v) : Math.min(suf[i + 1]!, v);
      }
      // The window of output i is padded[i … i + 2r]: suffix from its start, prefix to its end.
      for (let i = 0; i < len; i++) {
        const s1 = suf[i]!;
        const p1 = pre[i + 2 * r]!;
        out[base + i * stride] = isMax ? (s1 > p1 ? s1 : p1) : s1 < p1 ? s1 : p1;
      }
    }
    return out;
  };
  return pass(pass(src, true), false);
}

/** Box blur of radius r (running sums, clamped window), separable; O(n) whatever r. */
function boxBlur(src: Float32Array, width: number, height: number, r: number): Float32Array {
  const pass = (a: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(a.length);
    const len = horizontal ? width : height;
    const lines = horizontal ? height : width;
    const stride = horizontal ? 1 : width;
    const prefix = new Float64Array(len + 1);
    for (let l = 0; l < lines; l++) {
      const base = horizontal ? l * width : l;
      for (let i = 0; i < len; i++) prefix[i + 1] = prefix[i]! + a[base + i * stride]!;
      for (let i = 0; i < len; i++) {
        const lo = Math.max(0, i - r);
        const hi = Math.min(len, i + r + 1);
        out[base + i * stride] = (prefix[hi]! - prefix[lo]!) / (hi - lo);
      }
    }
    return out;
  };
  return pass(pass(src, true), false);
}

/** The paper's brightness at every pixel: closing (removes dark strokes up to 2r wide), then a large blur. */
export function estimateBackground(gray01: Float32Array, width: number, height: number): Float32Array {
  const r = Math.max(2, Math.round(CLOSING_RADIUS_FRACTION * Math.max(width, height)));
  const closed = rankFilter(rankFilter(gray01, width, height, r, true), width, height, r, false);
  let bg = closed;
  for (let i = 0; i < 3; i++) bg = boxBlur(bg, width, height, r);
  // The blur can sink below a bright closing near strokes; the paper is never darker than the pixel itself.
  for (let i = 0; i < bg.length; i++) bg[i] = Math.max(bg[i]!, gray01[i]!, 1e-3);
  return bg;
}

/**
 * Otsu's threshold of values in [0, 1] (256 bins): the level that maximises
 * the between-class variance ω₀ω₁(μ₀ − μ₁)². Returns the bin's upper edge.
 */
export function otsuThreshold(values: ArrayLike<number>): number {
  const bins = 256;
  const hist = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) hist[Math.min(bins - 1, Math.max(0, Math.floor(values[i]! * bins)))]++;
  const total = values.length;
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * hist[b]!;
  let w0 = 0;
  let sum0 = 0;
  let best = 0;
  let bestVar = -1;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b]!;
    sum0 += b * hist[b]!;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const diff = sum0 / w0 - (sumAll - sum0) / w1;
    const between = w0 * w1 * diff * diff;
    if (between > bestVar) {
      bestVar = between;
      best = b;
    }
  }
  return (best + 1) / bins;
}

interface Component {
  label: number;
  area: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** 8-neighbour connected components of `mask` (labels 1…n in the returned array, 0 = background). */
export function connectedComponents(mask: Uint8Array, width: number, height: number): { labels: Int32Array; components: Component[] } {
  const labels = new Int32Array(mask.length);
  const components: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const c: Component = { label: components.length + 1, area: 0, x0: width, y0: height, x1: -1, y1: -1 };
    labels[start] = c.label;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      c.area++;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (mask[q] && !labels[q]) {
            labels[q] = c.label;
            stack.push(q);
          }
        }
      }
    }
    components.push(c);
  }
  return { labels, components };
}

/**
 * A photographed digit (grayscale [0, 1], dark ink on lighter paper, any
 * size) → clean light-on-dark ink at the working size, with what the
 * clean-up found. `null` when no ink stands out from the paper.
 * Does not modify `gray01`.
 */
export function photoToInk(gray01: Float32Array, width: number, height: number): PhotoInk | null {
  const small = downscaleGray(gray01, width, height, PHOTO_WORK_SIDE);
  const { width: w, height: h } = small;
  const bg = estimateBackground(small.gray, w, h);
  const dark = new Float32Array(w * h);
  for (let i = 0; i < dark.length; i++) dark[i] = Math.max(0, (bg[i]! - small.gray[i]!) / bg[i]!);
  const threshold = Math.max(MIN_INK_THRESHOLD, otsuThreshold(dark));
  const mask = new Uint8Array(w * h);
  let above = 0;
  for (let i = 0; i < mask.length; i++) {
    if (dark[i]! > threshold) {
      mask[i] = 1;
      above++;
    }
  }
  if (above === 0) return null;
  const { labels, components } = connectedComponents(mask, w, h);
  const body = components.reduce((a, b) => (b.area > a.area ? b : a));
  const grow = NEAR_FRACTION * Math.max(body.x1 - body.x0 + 1, body.y1 - body.y0 + 1);
  const keep = new Uint8Array(components.length + 1);
  let kept = 0;
  let keptArea = 0;
  let sizeable = 0;
  for (const c of components) {
    if (c.area >= Math.max(4, SIZEABLE_AREA * body.area)) sizeable++;
    const isNear = c.x1 >= body.x0 - grow && c.x0 <= body.x1 + grow && c.y1 >= body.y0 - grow && c.y0 <= body.y1 + grow;
    if (c === body || (c.area >= MIN_PART_AREA * body.area && isNear)) {
      keep[c.label] = 1;
      kept++;
      keptArea += c.area;
    }
  }
  // Strong strokes reach 1: stretch by the 90th percentile of the kept ink's darkness.
  const keptValues: number[] = [];
  for (let i = 0; i < labels.length; i++) if (keep[labels[i]!]) keptValues.push(dark[i]!);
  keptValues.sort((a, b) => a - b);
  const strong = Math.max(threshold + 1e-3, keptValues[Math.floor(0.9 * (keptValues.length - 1))]!);
  // Keep the grey fringe one pixel around the kept strokes (anti-aliasing), from the darkness itself.
  const ink01 = new Float32Array(w * h);
  const floor = threshold / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let isKept = false;
      for (let dy = -1; dy <= 1 && !isKept; dy++) {
        for (let dx = -1; dx <= 1 && !isKept; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h && keep[labels[yy * w + xx]!]) isKept = true;
        }
      }
      if (isKept) ink01[y * w + x] = Math.min(1, Math.max(0, (dark[y * w + x]! - floor) / (strong - floor)));
    }
  }
  return {
    ink01, width: w, height: h, threshold,
    components: components.length, keptComponents: kept, sizeableComponents: sizeable,
    keptFraction: keptArea / above, coverage: keptArea / (w * h),
  };
}
