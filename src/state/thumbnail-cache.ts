/**
 * The gallery's thumbnail cache in IndexedDB (database 'dreamlift-thumbnails',
 * its own, apart from the session store): one record per model, layer,
 * channel and visualisation settings, so a thumbnail is computed once per
 * device and shows at once after a reload. Best effort: where IndexedDB is
 * missing or fails (private windows, jsdom) reads find nothing and writes are
 * dropped; the gallery computes instead.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RawImage } from '../workers/dream-protocol';

export const THUMBNAIL_DB = 'dreamlift-thumbnails';

export interface ThumbnailRecord {
  /** `${prefix}${channel}`, prefix from thumbnailPrefix(). */
  key: string;
  width: number;
  height: number;
  pixels: Uint8ClampedArray<ArrayBuffer>;
}

interface ThumbnailSchema extends DBSchema {
  thumbnails: { key: string; value: ThumbnailRecord };
}

/** Everything a thumbnail depends on except its channel; ends with '|'. */
export function thumbnailPrefix(model: string, layer: string, settings: Record<string, number | string | boolean>): string {
  const s = Object.keys(settings).sort().map((k) => `${k}=${settings[k]}`).join(',');
  return `${model}|${layer}|${s}|`;
}

let dbPromise: Promise<IDBPDatabase<ThumbnailSchema> | null> | null = null;

function db(): Promise<IDBPDatabase<ThumbnailSchema> | null> {
  if (!dbPromise) {
    dbPromise = typeof indexedDB === 'undefined'
      ? Promise.resolve(null)
      : openDB<ThumbnailSchema>(THUMBNAIL_DB, 1, {
        upgrade(database) {
          database.createObjectStore('thumbnails', { keyPath: 'key' });
        },
      }).catch(() => null);
  }
  return dbPromise;
}

/** Every cached thumbnail under `prefix`, by channel (one range read). */
export async function readThumbnails(prefix: string): Promise<Map<number, RawImage>> {
  const out = new Map<number, RawImage>();
  try {
    const d = await db();
    if (!d) return out;
    const records = await d.getAll('thumbnails', IDBKeyRange.bound(prefix, `${prefix}\uffff`));
    for (const r of records) {
      const channel = Number(r.key.slice(prefix.length));
      if (Number.isInteger(channel)) out.set(channel, { width: r.width, height: r.height, pixels: r.pixels });
    }
  } catch {
    // A broken cache only costs recomputation.
  }
  return out;
}

/** Stores one thumbnail (best effort). */
export async function writeThumbnail(prefix: string, channel: number, image: RawImage): Promise<void> {
  try {
    const d = await db();
    await d?.put('thumbnails', { key: `${prefix}${channel}`, width: image.width, height: image.height, pixels: image.pixels });
  } catch {
    // Quota or a closed database: the thumbnail is simply not cached.
  }
}
