/**
 * Opening photos for the Dream panel: decodes (off the main thread, via
 * createImageBitmap) at the current max side and hands the result to the store.
 * Only the latest request wins: a slow decode finishing after a newer one is dropped.
 */
import { useEffect } from 'react';
import { TRUNK_MIN_SIDE } from '../../engine/models/trunk-info';
import { getPhotoSource, useDreamStore } from '../../state/dream-store';
import { decodeImageFile, flattenOnto, type DecodedImage } from '../common/decode-image';
import type { DreamSample } from './samples';

/** Smallest photo side the dream model can use (px). */
export const MIN_PHOTO_SIDE = Math.max(32, TRUNK_MIN_SIDE);

/** Transparent parts of a photo are shown, dreamt and downloaded as white (the worker drops alpha). */
export const PHOTO_BACKGROUND = '#ffffff';

/** What to tell the user when a photo (or guide) cannot be opened: decode-image's plain words, or the cause. */
export function openFailureMessage(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return error instanceof Error && error.name === 'BadImageError' ? detail : `The image could not be opened: ${detail}`;
}

let latest = 0;
/** The max side the current photo was (or is being) decoded at. */
let decodedAtMaxSide: number | null = null;

async function openPhoto(read: () => Promise<Blob>, name: string): Promise<void> {
  const mine = ++latest;
  decodedAtMaxSide = useDreamStore.getState().settings.maxSide;
  useDreamStore.getState().setDecoding(true);
  try {
    const file = await read();
    const decoded = flattenOnto(
      await decodeImageFile(file, { maxSide: useDreamStore.getState().settings.maxSide, minSide: MIN_PHOTO_SIDE }),
      PHOTO_BACKGROUND,
    );
    if (mine !== latest) {
      decoded.bitmap.close();
      return;
    }
    useDreamStore.getState().setPhoto(decoded, { file, name });
  } catch (error) {
    if (mine !== latest) return;
    useDreamStore.getState().photoFailed(openFailureMessage(error));
  }
}

/** A file from the picker, a drop or a paste. */
export function openPhotoFile(file: File): Promise<void> {
  return openPhoto(() => Promise.resolve(file), file.name || 'pasted image');
}

/** A stored photo (restored after a reload). */
export function openPhotoBlob(blob: Blob, name: string): Promise<void> {
  return openPhoto(() => Promise.resolve(blob), name);
}

export function openSample(sample: DreamSample): Promise<void> {
  return openPhoto(async () => {
    const response = await fetch(sample.url);
    if (!response.ok) {
      const error = new Error(`The sample “${sample.title}” could not be loaded (HTTP ${response.status}).`);
      error.name = 'BadImageError';
      throw error;
    }
    return response.blob();
  }, sample.title);
}

/** Changes the max side and decodes the current photo again at it. */
export function changeMaxSide(maxSide: number): Promise<void> {
  useDreamStore.getState().setSetting('maxSide', maxSide);
  const source = getPhotoSource();
  return source ? openPhoto(() => Promise.resolve(source.file), source.name) : Promise.resolve();
}

/**
 * When the max side changes without the picker (the backend's default arrived
 * after a photo was opened), decodes the current photo again at the new size.
 */
export function useBackendMaxSide(): void {
  const maxSide = useDreamStore((s) => s.settings.maxSide);
  useEffect(() => {
    const source = getPhotoSource();
    if (source && decodedAtMaxSide !== null && decodedAtMaxSide !== maxSide) void openPhoto(() => Promise.resolve(source.file), source.name);
  }, [maxSide]);
}

/** Largest side of the original-size download (px); larger photos are scaled to it. */
export const ORIGINAL_MAX_SIDE = 8192;

/** The current photo decoded at its original size (at most ORIGINAL_MAX_SIDE), for the original-size download; null without one. */
export async function decodeOriginalPhoto(): Promise<DecodedImage | null> {
  const source = getPhotoSource();
  if (!source) return null;
  return decodeImageFile(source.file, { maxSide: ORIGINAL_MAX_SIDE, minSide: MIN_PHOTO_SIDE });
}
