/**
 * The session's effects: which parts of the stores persist (the declared list
 * below; everything else is transient), restoring them before the first render,
 * and writing them, debounced, after changes. It subscribes to the stores from
 * outside, so the stores themselves know nothing of storage.
 *
 * Persisted (IndexedDB `dreamlift-session`, see src/session/):
 * - tab: the selected tab;
 * - explain: the Explain settings and the captured custom reference;
 * - drawing: the drawing as operations (strokes, clears, pasted images), so Undo works after a reload;
 * - compare: the Compare settings;
 * - dream: the Dream settings and preset, the photo (its file, by blob id) and the last result
 *   (PNG at the working resolution, by blob id), saved when a run finishes or is cancelled;
 * - history: the last HISTORY_BOUND dreams (image and thumbnail), in their own object store;
 * - guide: the guided dream's guide image, as decoded (≤ 224 px), by blob id (guide-persistence.ts).
 * Transient (recomputed or per device): explanations, Compare results, progress, status and
 * errors, the worker backends (`?backend=` and the badge's choice are per visit).
 *
 * Later features add theirs with `registerPersistedSlice` before `startPersistence` runs.
 */
import { create } from 'zustand';
import { thumbnailSize, HISTORY_BOUND } from '../session/dream-history';
import { openIdbStorage } from '../session/idb-storage';
import { mergeSettings } from '../session/merge';
import { describeStorageError, hydrate, newBlobId, SessionWriter, type PersistedSlice } from '../session/session';
import { createMemoryStorage, type HistoryEntry, type SessionStorage } from '../session/storage';
import { claimSessionLock, type LockManagerLike, type SessionLock } from '../session/tab-lock';
import { DEFAULT_COMPARE_SETTINGS, useCompareStore } from './compare-store';
import { isDrawingDoc, useDrawingStore, type DrawingDoc } from './drawing-store';
import {
  DEFAULT_SETTINGS as DEFAULT_DREAM_SETTINGS,
  getPhotoSource,
  showResult,
  tapFrames,
  useDreamStore,
  validateSettings,
  type DreamSettings,
} from './dream-store';
import { DEFAULT_SETTINGS as DEFAULT_EXPLAIN_SETTINGS, useExplainStore } from './explain-store';
import { guideSlice } from './guide-persistence';
import { useSessionStore } from './session-store';
import { useTabStore } from './tab-store';

/** Keys of what is deliberately not stored, with why (documentation, and a test keeps it disjoint). */
export const TRANSIENT: Record<string, string> = {
  'explain.result': 'recomputed from the restored drawing',
  'compare.results': 'recomputed when the Compare tab is shown',
  'dream.progress': 'belongs to a run, which a reload ends',
  'runtime.backends': 'per device and visit; ?backend= chooses one',
};

// ---- The declared slices ---------------------------------------------------------------------------

interface DreamRecord {
  settings: DreamSettings;
  preset: string;
  /** Whether the user picked the max side (else the backend's default may replace it); absent in older records. */
  isMaxSideChosen?: boolean;
  photo: { id: string; name: string } | null;
  result: { id: string; width: number; height: number; layer: string; isPartial: boolean } | null;
}

/** Blob ids of photos already given one (the same file keeps its id, so it is stored once). */
const photoIds = new WeakMap<Blob, string>();
function photoIdOf(file: Blob): string {
  let id = photoIds.get(file);
  if (!id) {
    id = newBlobId('photo');
    photoIds.set(file, id);
  }
  return id;
}

/** The dream result the session keeps (the last finished or cancelled run, or a reopened one). */
let keptResult: (DreamRecord['result'] & { blob: Blob }) | null = null;

/** Restores a stored photo (decodes it at the current max side); given by the UI layer at start. */
type RestorePhoto = (blob: Blob, name: string) => Promise<void>;
let restorePhoto: RestorePhoto | null = null;

const isString = (x: unknown): x is string => typeof x === 'string';

const tabSlice: PersistedSlice<string> = {
  key: 'tab',
  version: 1,
  snapshot: () => ({ value: useTabStore.getState().tab }),
  restore: (tab) => {
    if (isString(tab)) useTabStore.getState().setTab(tab);
  },
  subscribe: (onChange) => useTabStore.subscribe((s, p) => s.tab !== p.tab && onChange()),
};

const explainSlice: PersistedSlice<{ settings: unknown; customReference: Float32Array | null }> = {
  key: 'explain',
  version: 1,
  snapshot: () => {
    const { settings, customReference } = useExplainStore.getState();
    return { value: { settings, customReference } };
  },
  restore: (value) => {
    const customReference = ArrayBuffer.isView(value.customReference) && Object.prototype.toString.call(value.customReference) === '[object Float32Array]' && value.customReference.length === 784 ? value.customReference : null;
    const settings = mergeSettings(DEFAULT_EXPLAIN_SETTINGS, value.settings);
    if (settings.reference === 'custom' && !customReference) settings.reference = 'black';
    useExplainStore.setState({ settings, customReference });
  },
  subscribe: (onChange) =>
    useExplainStore.subscribe((s, p) => (s.settings !== p.settings || s.customReference !== p.customReference) && onChange()),
};

const drawingSlice: PersistedSlice<DrawingDoc> = {
  key: 'drawing',
  version: 1,
  snapshot: () => ({ value: useDrawingStore.getState().doc }),
  restore: (doc) => {
    if (!isDrawingDoc(doc)) throw new Error('not a drawing');
    useDrawingStore.getState().load(doc);
  },
  subscribe: (onChange) => useDrawingStore.subscribe((s, p) => s.doc !== p.doc && onChange()),
};

const compareSlice: PersistedSlice<unknown> = {
  key: 'compare',
  version: 1,
  snapshot: () => ({ value: useCompareStore.getState().settings }),
  restore: (settings) => useCompareStore.setState({ settings: mergeSettings(DEFAULT_COMPARE_SETTINGS, settings) }),
  subscribe: (onChange) => useCompareStore.subscribe((s, p) => s.settings !== p.settings && onChange()),
};

function dreamSettingsFrom(stored: unknown): DreamSettings {
  const merged = mergeSettings(DEFAULT_DREAM_SETTINGS, stored);
  // Each invalid value (an older app allowed it, or the record is damaged) goes back to its default.
  for (const key of Object.keys(validateSettings(merged)) as (keyof DreamSettings)[]) {
    (merged as unknown as Record<string, unknown>)[key] = DEFAULT_DREAM_SETTINGS[key];
  }
  return merged;
}

const dreamSlice: PersistedSlice<DreamRecord> = {
  key: 'dream',
  version: 1,
  snapshot: () => {
    const { settings, preset, photo, isMaxSideChosen } = useDreamStore.getState();
    const source = photo ? getPhotoSource() : null;
    const blobs: Record<string, Blob> = {};
    let photoRef: DreamRecord['photo'] = null;
    if (source) {
      photoRef = { id: photoIdOf(source.file), name: source.name };
      blobs[photoRef.id] = source.file;
    }
    let result: DreamRecord['result'] = null;
    if (keptResult) {
      const { blob, ...ref } = keptResult;
      result = ref;
      blobs[ref.id] = blob;
    }
    return { value: { settings, preset, isMaxSideChosen, photo: photoRef, result }, blobs };
  },
  restore: async (value, blob) => {
    useDreamStore.setState({
      settings: dreamSettingsFrom(value.settings),
      preset: isString(value.preset) ? value.preset : 'custom',
      isMaxSideChosen: value.isMaxSideChosen === true,
    });
    if (value.photo && restorePhoto) {
      const file = await blob(value.photo.id);
      if (file) {
        photoIds.set(file, value.photo.id);
        await restorePhoto(file, isString(value.photo.name) ? value.photo.name : 'photo');
      }
    }
    const ref = value.result;
    if (ref && typeof createImageBitmap === 'function') {
      const image = await blob(ref.id);
      if (image) {
        showResult(await createImageBitmap(image));
        keptResult = { ...ref, blob: image };
      }
    }
  },
  subscribe: (onChange) =>
    useDreamStore.subscribe(
      (s, p) => (s.settings !== p.settings || s.preset !== p.preset || s.photoVersion !== p.photoVersion) && onChange(),
    ),
};

const slices: PersistedSlice[] = [tabSlice, explainSlice, compareSlice, drawingSlice, dreamSlice as PersistedSlice, guideSlice as PersistedSlice];

/** Adds a feature's slice to the declared list (call before startPersistence). Keys must be unique. */
export function registerPersistedSlice(slice: PersistedSlice): void {
  if (slices.some((s) => s.key === slice.key)) throw new Error(`session slice ${slice.key} is declared twice`);
  slices.push(slice);
}

/** The declared keys, in restore order. */
export function persistedKeys(): string[] {
  return slices.map((s) => s.key);
}

// ---- The dream history -----------------------------------------------------------------------------

export interface DreamHistoryState {
  /** Newest first, at most HISTORY_BOUND. */
  entries: HistoryEntry[];
}

export const useDreamHistoryStore = create<DreamHistoryState>()(() => ({ entries: [] }));

let storage: SessionStorage = createMemoryStorage();
let writer: SessionWriter | null = null;
/** This tab's claim on the session (one writing tab per device, src/session/tab-lock.ts). */
let lock: SessionLock | null = null;
/** Slices changed while another tab was the writer: written, not re-read, when this tab takes over. */
const touchedElsewhere = new Set<string>();

/** Marks a slice for writing, or remembers it while another tab writes. */
function markDirty(key: string): void {
  if (writer) writer.markDirty(key);
  else if (lock?.state === 'elsewhere') touchedElsewhere.add(key);
}

async function refreshHistory(): Promise<void> {
  try {
    useDreamHistoryStore.setState({ entries: await storage.listHistory() });
  } catch {
    /* the gallery keeps what it showed */
  }
}

/** Shows an earlier dream on the canvas again (it becomes the kept result). */
export async function reopenDream(id: string): Promise<void> {
  const entry = useDreamHistoryStore.getState().entries.find((e) => e.id === id);
  if (!entry) return;
  showResult(await createImageBitmap(entry.image));
  keptResult = { id: newBlobId('dream'), width: entry.width, height: entry.height, layer: entry.layer, isPartial: entry.isPartial, blob: entry.image };
  markDirty('dream');
}

export async function deleteDream(id: string): Promise<void> {
  await storage.deleteHistory(id);
  await refreshHistory();
}

// ---- Capturing the dream result --------------------------------------------------------------------

/** A copy of the last frame at the working resolution (frames of early octaves are smaller: scaled up, as shown). */
let lastFrame: OffscreenCanvas | null = null;
let hasFrame = false;

function copyFrame(bitmap: ImageBitmap): void {
  const size = useDreamStore.getState().canvas ?? { width: bitmap.width, height: bitmap.height };
  if (!lastFrame || lastFrame.width !== size.width || lastFrame.height !== size.height) lastFrame = new OffscreenCanvas(size.width, size.height);
  const ctx = lastFrame.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, size.width, size.height);
  hasFrame = true;
}

async function thumbnailOf(source: OffscreenCanvas): Promise<Blob> {
  const { width, height } = thumbnailSize(source.width, source.height);
  const thumb = new OffscreenCanvas(width, height);
  const ctx = thumb.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, width, height);
  return thumb.convertToBlob({ type: 'image/png' });
}

/** Encodes the last frame (off the main thread) and keeps it as the result and in the history. */
async function keepResult(isPartial: boolean): Promise<void> {
  const canvas = lastFrame;
  if (!canvas || !hasFrame) return;
  hasFrame = false;
  const { settings, photoVersion } = useDreamStore.getState();
  const layer = settings.layer;
  const [image, thumbnail] = await Promise.all([canvas.convertToBlob({ type: 'image/png' }), thumbnailOf(canvas)]);
  // A new photo came while encoding: this result belongs to the old one; keep it in the history only.
  const isCurrent = useDreamStore.getState().photoVersion === photoVersion;
  const id = newBlobId('dream');
  if (isCurrent) {
    keptResult = { id, width: canvas.width, height: canvas.height, layer, isPartial, blob: image };
    markDirty('dream');
    await writer?.flush();
  }
  try {
    await storage.addHistory({ id, createdAt: Date.now(), width: canvas.width, height: canvas.height, layer, isPartial, image, thumbnail }, HISTORY_BOUND);
  } catch (e) {
    reportWrite(e instanceof Error ? e : new Error(String(e)));
  }
  await refreshHistory();
}

function watchDreamRuns(): () => void {
  const untap = typeof OffscreenCanvas === 'undefined' ? () => {} : tapFrames((frame) => copyFrame(frame.bitmap));
  const unsubscribe = useDreamStore.subscribe((s, p) => {
    const wasRunning = p.status === 'running' || p.status === 'loading-model';
    if (wasRunning && (s.status === 'done' || s.status === 'idle')) void keepResult(s.status !== 'done');
    // A new photo clears the canvas: the old result is no longer what the session shows.
    if (s.photoVersion !== p.photoVersion && !s.hasResult) {
      keptResult = null;
      hasFrame = false;
    }
  });
  return () => {
    untap();
    unsubscribe();
  };
}

// ---- Start, failures, start fresh -----------------------------------------------------------------

function reportWrite(error: Error | null): void {
  const session = useSessionStore.getState();
  if (error === null) {
    if (session.status !== 'saved' && session.status !== 'memory') useSessionStore.setState({ status: 'saved', notice: null });
    return;
  }
  if (session.status === 'memory') return;
  useSessionStore.setState({ status: 'failed', notice: describeStorageError(error) });
}

export interface PersistenceOptions {
  /** Opens the storage (tests inject one); defaults to IndexedDB, falling back to memory. */
  openStorage?: () => Promise<SessionStorage>;
  restorePhoto?: RestorePhoto;
  debounceMs?: number;
  /** Web Locks (tests pass a fake); defaults to navigator.locks. */
  locks?: LockManagerLike | null;
}

let stopWatching: (() => void) | null = null;
let isListening = false;

/**
 * Opens the storage, restores the declared slices, then starts writing changes. Never throws:
 * storage that cannot be opened leaves the app in memory with a notice.
 */
export async function startPersistence(options: PersistenceOptions = {}): Promise<void> {
  stopPersistence();
  restorePhoto = options.restorePhoto ?? null;
  try {
    storage = await (options.openStorage ?? openIdbStorage)();
  } catch (e) {
    storage = createMemoryStorage();
    const reason = e instanceof Error ? e.message || e.name : String(e);
    useSessionStore.setState({
      status: 'memory',
      notice: `Your work cannot be saved on this device (${reason}): the app works, but a reload starts afresh.`,
    });
  }
  try {
    const report = await hydrate(storage, slices);
    useSessionStore.setState({ dropped: report.dropped.map((d) => d.key) });
  } catch (e) {
    useSessionStore.setState({ status: 'failed', notice: `The saved session could not be read (${e instanceof Error ? e.message : String(e)}); starting afresh.` });
  }
  stopWatching = watchDreamRuns();
  const claim = await claimSessionLock(options.locks);
  lock = claim;
  if (claim.state === 'elsewhere') {
    useSessionStore.setState({ status: 'elsewhere', notice: ELSEWHERE_NOTICE });
    const unsubscribe = slices.map((s) => s.subscribe(() => touchedElsewhere.add(s.key)));
    void claim.whenHeld.then(async () => {
      for (const u of unsubscribe) u();
      if (lock !== claim) return;
      // The closed tab's last saved work comes in, except where this tab changed something since it opened.
      try {
        await hydrate(storage, slices.filter((s) => !touchedElsewhere.has(s.key)));
      } catch {
        /* what this tab shows is written instead */
      }
      if (lock !== claim) return;
      await startWriting(options.debounceMs, [...touchedElsewhere]);
      touchedElsewhere.clear();
      if (useSessionStore.getState().status === 'elsewhere') useSessionStore.setState({ status: 'saved', notice: null });
      await refreshHistory();
    });
  } else {
    await startWriting(options.debounceMs, []);
    if (useSessionStore.getState().status === 'starting') useSessionStore.setState({ status: 'saved' });
  }
  await refreshHistory();
  if (typeof addEventListener === 'function' && !isListening) {
    isListening = true;
    // Write at once when the tab is hidden or closed (a debounced write could be lost then).
    addEventListener('pagehide', () => void writer?.flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void writer?.flush();
    });
  }
}

const ELSEWHERE_NOTICE =
  'DreamLift is open in another tab, and that tab saves your session: what you do here is not saved until you close it (this tab then takes over).';

async function startWriting(debounceMs: number | undefined, dirty: readonly string[]): Promise<void> {
  writer = new SessionWriter(storage, slices, { debounceMs, onResult: reportWrite });
  await writer.start();
  for (const key of dirty) writer.markDirty(key);
}

/** Writes pending changes now (tests; the page does it when hidden). */
export function flushSession(): Promise<void> {
  return writer?.flush() ?? Promise.resolve();
}

/** Stops writing (tests; start fresh). What is stored stays. */
export function stopPersistence(): void {
  writer?.stop();
  writer = null;
  lock?.release();
  lock = null;
  touchedElsewhere.clear();
  stopWatching?.();
  stopWatching = null;
}

/** Removes everything stored (session and history); the caller reloads the page. */
export async function clearStoredSession(): Promise<void> {
  stopPersistence();
  await storage.clear();
}
