/**
 * The filter gallery's queue policy, as plain functions: thumbnails on screen
 * come first (in channel order), then a few just past the last visible one,
 * so scrolling on finds them ready. Anything else is stale: a running job
 * for a channel that is no longer wanted is cancelled.
 */

/** Channels wanted now, in order: visible ones, then `ahead` after the last visible. */
export function wantedChannels(visible: readonly number[], channels: number, ahead: number): number[] {
  const inRange = [...new Set(visible)].filter((c) => Number.isInteger(c) && c >= 0 && c < channels).sort((a, b) => a - b);
  if (inRange.length === 0) return [];
  const last = inRange[inRange.length - 1];
  const after: number[] = [];
  for (let c = last + 1; c < channels && after.length < ahead; c++) after.push(c);
  return [...inRange, ...after];
}

/** The next channel to compute: the first wanted one that is neither done nor failed; null when none. */
export function nextChannel(visible: readonly number[], channels: number, ahead: number, isSettled: (channel: number) => boolean): number | null {
  return wantedChannels(visible, channels, ahead).find((c) => !isSettled(c)) ?? null;
}
