/**
 * Where the session lives: a small key–value adapter with three parts, so the
 * rest of the app never sees IndexedDB and tests can inject one that fails.
 * - records: one plain value (structured-cloneable) per declared slice key;
 * - blobs: binaries stored by id (the Dream photo, results), referenced from records;
 * - history: the last dreams (see dream-history.ts).
 * `commit` writes records and blobs in ONE transaction: a failed write (quota,
 * a closing database) leaves everything stored before it as it was.
 */

export interface HistoryEntry {
  id: string;
  /** Date.now() when it was saved. */
  createdAt: number;
  width: number;
  height: number;
  layer: string;
  /** Whether the run was cancelled before its end (the last frame shown is kept). */
  isPartial: boolean;
  /** PNG at the working resolution. */
  image: Blob;
  /** Small PNG/JPEG for the gallery. */
  thumbnail: Blob;
}

export interface SessionCommit {
  records?: Record<string, unknown>;
  deleteRecords?: string[];
  blobs?: Record<string, Blob>;
  deleteBlobs?: string[];
}

export interface SessionStorage {
  /** Human name for notices and the notes ("IndexedDB", "memory"). */
  readonly kind: string;
  getRecords(): Promise<Record<string, unknown>>;
  getBlob(id: string): Promise<Blob | null>;
  /** Ids of every stored blob (to drop the ones no record refers to). */
  blobIds(): Promise<string[]>;
  /** All or nothing. */
  commit(change: SessionCommit): Promise<void>;
  /** Newest first. */
  listHistory(): Promise<HistoryEntry[]>;
  /** Adds `entry` and drops the oldest beyond `bound`, in one transaction. */
  addHistory(entry: HistoryEntry, bound: number): Promise<void>;
  deleteHistory(id: string): Promise<void>;
  /** Removes everything (start fresh). */
  clear(): Promise<void>;
}

/** Storage kept in memory only (the fallback when IndexedDB is unavailable, and tests). */
export function createMemoryStorage(): SessionStorage {
  let records = new Map<string, unknown>();
  let blobs = new Map<string, Blob>();
  let history: HistoryEntry[] = [];
  return {
    kind: 'memory',
    getRecords: async () => Object.fromEntries(records),
    getBlob: async (id) => blobs.get(id) ?? null,
    blobIds: async () => [...blobs.keys()],
    commit: async (change) => {
      // Build the next state aside and swap it in, so a throw halfway leaves the old one.
      const nextRecords = new Map(records);
      const nextBlobs = new Map(blobs);
      for (const [k, v] of Object.entries(change.records ?? {})) nextRecords.set(k, structuredClone(v));
      for (const k of change.deleteRecords ?? []) nextRecords.delete(k);
      for (const [k, v] of Object.entries(change.blobs ?? {})) nextBlobs.set(k, v);
      for (const k of change.deleteBlobs ?? []) nextBlobs.delete(k);
      records = nextRecords;
      blobs = nextBlobs;
    },
    listHistory: async () => [...history].sort((a, b) => b.createdAt - a.createdAt),
    addHistory: async (entry, bound) => {
      history = [entry, ...history].sort((a, b) => b.createdAt - a.createdAt).slice(0, bound);
    },
    deleteHistory: async (id) => {
      history = history.filter((h) => h.id !== id);
    },
    clear: async () => {
      records = new Map();
      blobs = new Map();
      history = [];
    },
  };
}
