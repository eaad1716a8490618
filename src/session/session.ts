/**
 * The session: a declared list of slices that persist (everything else is
 * transient), read once at start (`hydrate`) and written debounced after
 * changes (`SessionWriter`). Modelled on excalidraw's LocalData/restore:
 * each slice knows how to take a snapshot of its store and how to restore one,
 * and a stored value that does not fit (older version without migration, bad
 * data) is dropped rather than trusted.
 *
 * Binaries are stored by id in their own store: a slice's snapshot names them
 * in `blobs`, the writer stores only ids it has not stored yet and deletes the
 * ones no slice names any more, so changing a setting never rewrites a photo.
 */
import type { SessionStorage } from './storage';

export interface SliceSnapshot<T> {
  value: T;
  /** Every binary `value` refers to, by id. Ids must change when the content changes. */
  blobs?: Record<string, Blob>;
}

export interface PersistedSlice<T = unknown> {
  /** Record key; never reuse one for another meaning. */
  key: string;
  /** Version of `value`'s shape; bump it and add `migrate` when the shape changes. */
  version: number;
  /** What to store now (plain data). Null: nothing to keep (the record is removed). */
  snapshot(): SliceSnapshot<T> | null;
  /** Puts a stored value back; `blob` reads a binary by id (null when it is gone). */
  restore(value: T, blob: (id: string) => Promise<Blob | null>): void | Promise<void>;
  /** Turns a value stored by an older version into this one's; null drops it. */
  migrate?(value: unknown, fromVersion: number): T | null;
  /** Calls `onChange` whenever the snapshot may have changed; returns the unsubscribe function. */
  subscribe(onChange: () => void): () => void;
}

/** A stored record: the slice's version and its value. */
export interface StoredRecord {
  v: number;
  data: unknown;
}

function isStoredRecord(x: unknown): x is StoredRecord {
  return typeof x === 'object' && x !== null && typeof (x as StoredRecord).v === 'number' && 'data' in x;
}

export interface HydrateReport {
  restored: string[];
  /** Keys whose stored value was unusable (dropped) with why. */
  dropped: { key: string; reason: string }[];
}

/** Reads every declared slice's record and restores it (in the declared order). Never throws for one bad slice. */
export async function hydrate(storage: SessionStorage, slices: readonly PersistedSlice[]): Promise<HydrateReport> {
  const records = await storage.getRecords();
  const report: HydrateReport = { restored: [], dropped: [] };
  const blob = (id: string) => storage.getBlob(id);
  for (const slice of slices) {
    const stored = records[slice.key];
    if (stored === undefined) continue;
    try {
      if (!isStoredRecord(stored)) throw new Error('not a session record');
      let value: unknown = stored.data;
      if (stored.v !== slice.version) {
        if (!slice.migrate || stored.v > slice.version) throw new Error(`stored version ${stored.v}, expected ${slice.version}`);
        value = slice.migrate(stored.data, stored.v);
        if (value === null) throw new Error(`version ${stored.v} could not be migrated`);
      }
      await slice.restore(value, blob);
      report.restored.push(slice.key);
    } catch (e) {
      report.dropped.push({ key: slice.key, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return report;
}

export interface WriterOptions {
  /** Quiet time after the last change before writing (ms). */
  debounceMs?: number;
  /** Told after every write attempt: null when it worked, the error when it failed. */
  onResult?: (error: Error | null) => void;
  /** Schedules the write; defaults to setTimeout (tests pass a fake clock through vitest). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export const DEFAULT_DEBOUNCE_MS = 400;

/**
 * Writes dirty slices after a quiet period, one commit at a time. A failed
 * commit marks its slices dirty again (the next change or `flush` retries),
 * and because a commit is all-or-nothing, what was stored before stays intact.
 */
export class SessionWriter {
  private readonly dirty = new Set<string>();
  private timer: unknown = null;
  private writing: Promise<void> | null = null;
  /** Blob ids known to be in storage. */
  private stored = new Set<string>();
  private unsubscribers: (() => void)[] = [];
  private isStopped = false;

  constructor(
    private readonly storage: SessionStorage,
    private readonly slices: readonly PersistedSlice[],
    private readonly options: WriterOptions = {},
  ) {}

  /** Learns which blobs are stored, then starts listening to the slices. */
  async start(): Promise<void> {
    try {
      this.stored = new Set(await this.storage.blobIds());
    } catch {
      this.stored = new Set();
    }
    this.unsubscribers = this.slices.map((s) => s.subscribe(() => this.markDirty(s.key)));
  }

  stop(): void {
    this.isStopped = true;
    for (const u of this.unsubscribers) u();
    this.unsubscribers = [];
    this.cancelTimer();
  }

  markDirty(key: string): void {
    if (this.isStopped) return;
    this.dirty.add(key);
    this.cancelTimer();
    const set = this.options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.timer = set(() => {
      this.timer = null;
      void this.flush();
    }, this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /** Writes what is dirty now (waits for a write in progress first). */
  async flush(): Promise<void> {
    this.cancelTimer();
    while (this.writing) await this.writing;
    if (this.dirty.size === 0) return;
    this.writing = this.writeDirty();
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  /** Forgets which blobs are stored (after the storage was cleared). */
  forgetStored(): void {
    this.stored.clear();
    this.dirty.clear();
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    (this.options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = null;
  }

  private async writeDirty(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    const records: Record<string, unknown> = {};
    const deleteRecords: string[] = [];
    const newBlobs: Record<string, Blob> = {};
    // Blob ids every slice refers to now (dirty or not): the rest can go.
    const referenced = new Set<string>();
    for (const slice of this.slices) {
      const snap = slice.snapshot();
      for (const [id, blob] of Object.entries(snap?.blobs ?? {})) {
        referenced.add(id);
        if (!this.stored.has(id)) newBlobs[id] = blob;
      }
      if (!keys.includes(slice.key)) continue;
      if (snap) records[slice.key] = { v: slice.version, data: snap.value } satisfies StoredRecord;
      else deleteRecords.push(slice.key);
    }
    const deleteBlobs = [...this.stored].filter((id) => !referenced.has(id));
    try {
      await this.storage.commit({ records, deleteRecords, blobs: newBlobs, deleteBlobs });
      for (const id of Object.keys(newBlobs)) this.stored.add(id);
      for (const id of deleteBlobs) this.stored.delete(id);
      this.options.onResult?.(null);
    } catch (e) {
      for (const k of keys) this.dirty.add(k);
      this.options.onResult?.(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

/** A short id for a new binary (content changes get a new id). */
export function newBlobId(prefix: string): string {
  const random = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  return `${prefix}-${random}`;
}

/** What a failed write means for the user. */
export function describeStorageError(error: Error): string {
  if (error.name === 'QuotaExceededError' || /quota/i.test(error.message)) {
    return 'Storage is full: this session is no longer saved on this device (it keeps working until you close it). Free some space, or start fresh, to save again.';
  }
  return `This session cannot be saved on this device (${error.message || error.name}); it keeps working until you close it.`;
}
