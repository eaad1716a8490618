/**
 * Octaves for Deep Dream: the image is dreamt at a series of scales, smallest
 * first, each `scale` times larger than the one before and the last at the
 * photo's own size; the detail found at one scale is upscaled into the next
 * (the original deepdream notebook's octave loop). Pure helpers, no tensors,
 * so the UI can use them too.
 */

export interface OctaveSize {
  width: number;
  height: number;
}

/**
 * Sizes of `octaves` scales, smallest first, last = (width, height); octave k
 * is the photo divided by scale^(octaves − 1 − k), rounded. Sizes are raised
 * (aspect kept) so the shorter side is at least `minSide` but never above the
 * photo's own size; a model's smallest valid input goes there (43 px for the
 * InceptionV3 trunk).
 */
export function octaveSizes(width: number, height: number, octaves: number, scale: number, minSide = 1): OctaveSize[] {
  if (!(width >= 1 && height >= 1)) throw new RangeError(`bad image size ${width}×${height}`);
  const n = Math.max(1, Math.floor(octaves));
  const sizes: OctaveSize[] = [];
  const floor = Math.min(minSide, width, height);
  for (let k = 0; k < n; k++) {
    const f = Math.pow(scale, n - 1 - k);
    let w = width / f;
    let h = height / f;
    const short = Math.min(w, h);
    if (short < floor) {
      w *= floor / short;
      h *= floor / short;
    }
    sizes.push({ width: Math.max(1, Math.min(width, Math.round(w))), height: Math.max(1, Math.min(height, Math.round(h))) });
  }
  return sizes;
}

/** Total gradient steps of a dream: octaves × steps per octave. */
export function totalSteps(octaves: number, steps: number): number {
  return Math.max(1, Math.floor(octaves)) * Math.max(0, Math.floor(steps));
}

/**
 * Fraction done in [0, 1] after `step` steps (1-based, 0 = none yet) of
 * octave `octave` (0-based). A dream with zero steps counts as done.
 */
export function dreamProgress(octave: number, step: number, octaves: number, steps: number): number {
  const total = totalSteps(octaves, steps);
  if (total === 0) return 1;
  return Math.min(1, Math.max(0, (octave * steps + step) / total));
}
