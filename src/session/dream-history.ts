/** The gallery of the last dreams: how many are kept and how a thumbnail is sized. */

/** At most this many dreams are kept; saving one more drops the oldest. */
export const HISTORY_BOUND = 12;

/** Longest side of a gallery thumbnail (px). */
export const THUMBNAIL_SIDE = 128;

/** Thumbnail size for an image of width × height: fits THUMBNAIL_SIDE, never enlarged, at least 1 px. */
export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
