/**
 * A diverging colour map for attributions (DeepLIFT contributions), centred on
 * zero with a symmetric scale ±max|C| so that equal magnitudes of evidence for
 * and against look equally strong. Blue (negative, against the target) →
 * white (zero) → orange (positive, for it): a blue–orange ramp stays
 * distinguishable under the common colour-vision deficiencies (deuteranopia,
 * protanopia, tritanopia), unlike red–green. Stops after ColorBrewer's
 * diverging schemes (Brewer, colorbrewer2.org), blue end of RdBu and orange
 * end of PuOr.
 *
 * Pure TypeScript: returns RGBA bytes that any canvas can draw.
 */

export type Rgb = readonly [number, number, number];

/** Stops from −1 to +1, evenly spaced. */
export const DIVERGING_STOPS: readonly Rgb[] = [
  [33, 102, 172], // −1   #2166ac
  [146, 197, 222], // −0.5 #92c5de
  [247, 247, 247], //  0   #f7f7f7
  [253, 184, 99], // +0.5 #fdb863
  [230, 97, 1], // +1   #e66101
];

/** The colour of `value` on the scale [−maxAbs, +maxAbs]; values beyond are clamped; maxAbs ≤ 0 gives the zero colour. */
export function divergingColor(value: number, maxAbs: number): Rgb {
  const t = maxAbs > 0 && Number.isFinite(value) ? Math.max(-1, Math.min(1, value / maxAbs)) : 0;
  const pos = ((t + 1) / 2) * (DIVERGING_STOPS.length - 1);
  const i = Math.min(DIVERGING_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = DIVERGING_STOPS[i]!;
  const b = DIVERGING_STOPS[i + 1]!;
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** The symmetric scale of one or more maps: max |v| over all of them (0 when all are zero or empty). */
export function symmetricScale(...maps: ArrayLike<number>[]): number {
  let max = 0;
  for (const map of maps) {
    for (let i = 0; i < map.length; i++) {
      const v = Math.abs(map[i]!);
      if (Number.isFinite(v) && v > max) max = v;
    }
  }
  return max;
}

export type ColorizeMode = 'opaque' | 'alpha';

/**
 * Attributions → RGBA bytes (length 4·n, row-major like the input).
 * 'opaque': every pixel gets its map colour (zero is white).
 * 'alpha': for overlays; the colour is the full-strength end of its side and
 * the opacity grows with |v|/maxAbs (zero is transparent), so the digit below shows through.
 */
export function colorizeAttributions(values: ArrayLike<number>, maxAbs: number, mode: ColorizeMode = 'opaque'): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (mode === 'opaque') {
      const [r, g, b] = divergingColor(v, maxAbs);
      out[4 * i] = r;
      out[4 * i + 1] = g;
      out[4 * i + 2] = b;
      out[4 * i + 3] = 255;
    } else {
      const t = maxAbs > 0 && Number.isFinite(v) ? Math.min(1, Math.abs(v) / maxAbs) : 0;
      const [r, g, b] = divergingColor(Math.sign(v) * maxAbs, maxAbs);
      out[4 * i] = r;
      out[4 * i + 1] = g;
      out[4 * i + 2] = b;
      // A square root lifts weak evidence into view without changing the order of strengths.
      out[4 * i + 3] = Math.round(255 * Math.sqrt(t));
    }
  }
  return out;
}

/** A CSS linear-gradient of the map from −max (left) to +max (right), for legends. */
export function divergingCssGradient(direction = 'to right'): string {
  const stops = DIVERGING_STOPS.map(([r, g, b], i) => `rgb(${r}, ${g}, ${b}) ${(i / (DIVERGING_STOPS.length - 1)) * 100}%`);
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}

/**
 * The legend of the 'alpha' overlay as it looks over a background of grey
 * level `under` (0..255): at value t the full-strength end colour of its side
 * at opacity √|t|, blended over `under` (so 0 shows the background itself).
 * A CSS linear-gradient from −max (left) to +max (right).
 */
export function overlayCssGradient(under: number, direction = 'to right', samples = 20): string {
  const stops: string[] = [];
  for (let i = 0; i <= samples; i++) {
    const t = -1 + (2 * i) / samples;
    const alpha = Math.sqrt(Math.abs(t));
    const end = t < 0 ? DIVERGING_STOPS[0]! : DIVERGING_STOPS[DIVERGING_STOPS.length - 1]!;
    const [r, g, b] = end.map((c) => Math.round(c * alpha + under * (1 - alpha)));
    stops.push(`rgb(${r}, ${g}, ${b}) ${((100 * i) / samples).toFixed(1)}%`);
  }
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}

/** The quantile used for robust colour scales: a few extreme pixels saturate instead of washing out the rest. */
export const ROBUST_SCALE_QUANTILE = 0.99;

/**
 * A robust symmetric scale of one or more maps: the `quantile` of the
 * non-zero finite |v| pooled over all of them (0 when there are none). Unlike
 * the maximum, one extreme pixel does not make every other pixel pale, and a
 * map of a larger unit does not turn the others into solid blocks.
 */
export function robustScale(maps: ArrayLike<number>[], quantile = ROBUST_SCALE_QUANTILE): number {
  const values: number[] = [];
  for (const map of maps) {
    for (let i = 0; i < map.length; i++) {
      const v = Math.abs(map[i]!);
      if (v > 0 && Number.isFinite(v)) values.push(v);
    }
  }
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.ceil(quantile * values.length) - 1)]!;
}
