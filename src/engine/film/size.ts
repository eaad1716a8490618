/**
 * A film's frame size: the photo's aspect ratio with the longest side at the
 * chosen output size, both sides even (H.264 and VP9 store colour at half
 * resolution, so encoders want even sizes), and the film's limits. Pure (no
 * tfjs), so the UI can use them.
 */

/** Largest number of frames a film may have (a minute at 30 fps). */
export const MAX_FILM_FRAMES = 1800;

/** Width and height for a `width`×`height` source at longest side `side` (≥ 2), rounded to even. */
export function filmSize(width: number, height: number, side: number): { width: number; height: number } {
  if (!(width > 0 && height > 0)) throw new RangeError(`bad source size ${width}×${height}`);
  if (!(side >= 2)) throw new RangeError(`bad output size ${side}`);
  const f = side / Math.max(width, height);
  const even = (x: number) => Math.max(2, 2 * Math.round((x * f) / 2));
  return { width: even(width), height: even(height) };
}
