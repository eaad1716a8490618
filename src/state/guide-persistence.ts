/**
 * The guided dream's guide image in the session (persistence.ts lists this
 * slice): a PNG of the guide as decoded for use (at most GUIDE_MAX_SIDE px a
 * side, so a few tens of kB whatever the file was), stored by blob id with
 * its name, and given back to the Dream store after a reload. Clearing the
 * guide removes it. Encoding happens off the main thread's critical path
 * (OffscreenCanvas.convertToBlob); the codec is injectable for tests.
 */
import type { PersistedSlice } from '../session/session';
import { newBlobId } from '../session/session';
import { getGuideBitmap, useDreamStore } from './dream-store';

export interface GuideRecord {
  id: string;
  name: string;
}

/** Turns the guide bitmap into a stored image and back. */
export interface GuideCodec {
  encode(bitmap: ImageBitmap): Promise<Blob>;
  decode(blob: Blob): Promise<ImageBitmap>;
}

const browserCodec: GuideCodec | null =
  typeof OffscreenCanvas === 'undefined' || typeof createImageBitmap !== 'function'
    ? null
    : {
      async encode(bitmap) {
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
        return canvas.convertToBlob({ type: 'image/png' });
      },
      decode: (blob) => createImageBitmap(blob),
    };

let codec: GuideCodec | null = browserCodec;
/** The stored form of the current guide (null: none, or not encoded yet). */
let kept: (GuideRecord & { blob: Blob }) | null = null;

/** Tests: another codec (null: the browser's, where there is one). */
export function setGuideCodec(next: GuideCodec | null): void {
  codec = next ?? browserCodec;
  kept = null;
}

export const guideSlice: PersistedSlice<GuideRecord | null> = {
  key: 'guide',
  version: 1,
  snapshot: () => (kept ? { value: { id: kept.id, name: kept.name }, blobs: { [kept.id]: kept.blob } } : null),
  restore: async (value, blob) => {
    if (!value || typeof value.id !== 'string' || !codec) return;
    const stored = await blob(value.id);
    if (!stored) return;
    try {
      const bitmap = await codec.decode(stored);
      const name = typeof value.name === 'string' ? value.name : 'guide';
      useDreamStore.getState().setGuide({ bitmap, width: bitmap.width, height: bitmap.height, originalWidth: bitmap.width, originalHeight: bitmap.height, isScaled: false }, name);
      kept = { id: value.id, name, blob: stored };
    } catch {
      // A damaged image: the session goes on without its guide.
    }
  },
  subscribe: (onChange) => {
    let latest = 0;
    return useDreamStore.subscribe((s, p) => {
      if (s.guideVersion === p.guideVersion) return;
      const mine = ++latest;
      const bitmap = getGuideBitmap();
      const name = s.guide?.name ?? 'guide';
      if (!bitmap || !codec) {
        kept = null;
        onChange();
        return;
      }
      void codec.encode(bitmap).then((blob) => {
        if (mine !== latest) return;
        kept = { id: newBlobId('guide'), name, blob };
        onChange();
      }, () => undefined);
    });
  },
};
