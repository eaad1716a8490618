/**
 * The model catalogue: every classifier the app holds (the built-in MNIST
 * digit model and the user's own), as tfjs-free ModelSpecs, and which one is
 * selected. The model instances live in the Explain worker's registry, keyed
 * by the same id; their weights are kept by tfjs in IndexedDB, and the specs
 * (name, input settings, labels) in a small IndexedDB store of ours, so the
 * list comes back after a reload. A model that fails to load never replaces
 * the selected one; its message goes to the panel's error line.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { create } from 'zustand';
import { clampSide, type InputSpec, type PixelScaling, type ResizeMode } from '../engine/models/model-spec';
import { MNIST_MODEL_ID } from '../workers/explain-protocol';
import type { AddedModel } from '../workers/model-registry';
import { explainClient, useExplainStore } from './explain-store';

export type ModelSource = 'builtin' | 'files' | 'url';

export interface ModelSpec {
  id: string;
  name: string;
  source: ModelSource;
  input: InputSpec;
  /** One per class; null: "class 0 … class K−1". */
  labels: string[] | null;
  numClasses: number;
  weightBytes: number;
}

export const MNIST_SPEC: ModelSpec = {
  id: MNIST_MODEL_ID,
  name: 'MNIST digits (built in)',
  source: 'builtin',
  input: { height: 28, width: 28, channels: 1, scaling: 'unit', resize: 'fit', isDynamic: false },
  labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  numClasses: 10,
  weightBytes: 0,
};

export type InputChanges = Partial<Pick<InputSpec, 'height' | 'width' | 'scaling' | 'resize'>>;

/**
 * The input settings after the user's changes: a fixed model keeps its size
 * (only scaling and resize mode are free); a dynamic one takes any side within
 * MIN_INPUT_SIDE..MAX_INPUT_SIDE. The channel count is the model's own (its
 * input shape fixes it), so it is not changed here.
 */
export function applyInputChanges(input: InputSpec, changes: InputChanges): InputSpec {
  const next = { ...input };
  if (changes.scaling) next.scaling = changes.scaling as PixelScaling;
  if (changes.resize) next.resize = changes.resize as ResizeMode;
  if (input.isDynamic) {
    if (changes.height !== undefined) next.height = clampSide(changes.height, input.height);
    if (changes.width !== undefined) next.width = clampSide(changes.width, input.width);
  }
  return next;
}

/** A name not yet in the list: "name", else "name (2)", "name (3)" … */
export function uniqueName(name: string, taken: readonly string[]): string {
  if (!taken.includes(name)) return name;
  for (let i = 2; ; i++) if (!taken.includes(`${name} (${i})`)) return `${name} (${i})`;
}

/** The folder a set of files came from (a picked or dropped folder), or null. */
function folderName(files: readonly File[]): string | null {
  const path = files.map((f) => (f as File & { webkitRelativePath?: string }).webkitRelativePath ?? '').find((p) => p.includes('/'));
  return path ? path.split('/')[0]! : null;
}

export interface ModelsState {
  models: ModelSpec[];
  selectedId: string;
  /** A model being added (its file or folder name), null when none. */
  adding: string | null;
  /** The catalogue was read back from IndexedDB. */
  isHydrated: boolean;
  select: (id: string) => void;
  /** Adds a model from model.json + shards (+ labels); selects it when it loads. Returns its id, or null on failure. */
  addFromFiles: (files: readonly File[]) => Promise<string | null>;
  /** Adds a model from a model.json URL on the app's origin. */
  addFromUrl: (url: string) => Promise<string | null>;
  remove: (id: string) => Promise<void>;
  updateInput: (id: string, changes: InputChanges) => void;
  /** Reads the kept models back (once per page). */
  hydrate: () => Promise<void>;
}

const DB_NAME = 'dreamlift-models';
const STORE = 'specs';
let db: Promise<IDBPDatabase> | null = null;

function specDb(): Promise<IDBPDatabase> | null {
  if (typeof indexedDB === 'undefined') return null;
  db ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore(STORE, { keyPath: 'id' });
    },
  });
  return db;
}

async function saveSpec(spec: ModelSpec): Promise<void> {
  await (await specDb())?.put(STORE, spec);
}

/** What the user reads when a model cannot be added. */
export function describeModelError(e: unknown): string {
  const error = e instanceof Error ? e : new Error(String(e));
  if (error.name === 'BadModelError' || error.name === 'BadRequestError') return error.message;
  // tfjs names a kernel that the active backend lacks. The engine writes its own transposes where WASM lacks a
  // gradient (depthwise convolutions included, e2e/models-dag.spec.ts), so this is a safety net for layers whose
  // forward kernel is missing on a backend (e.g. a WebGPU build without one).
  const kernel = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(error.message);
  if (kernel) {
    return `The ${kernel[2]} backend lacks the ${kernel[1]} operation that explaining this model needs. Choose another backend (WebGPU, WebGL or CPU) in the header and load the model again.`;
  }
  return `The model could not be loaded: ${error.message || error.name}`;
}

let nextId = 0;
let hydration: Promise<void> | null = null;
const newId = () => `user-${Date.now().toString(36)}-${(nextId++).toString(36)}`;

export const useModelsStore = create<ModelsState>()((set, get) => {
  const add = async (label: string, name: string | null, request: () => Promise<AddedModel>, source: ModelSource, id: string): Promise<string | null> => {
    set({ adding: label });
    try {
      const added = await request();
      const spec: ModelSpec = {
        id,
        name: uniqueName(name ?? added.modelName, get().models.map((m) => m.name)),
        source,
        input: added.input,
        labels: added.labels,
        numClasses: added.numClasses,
        weightBytes: added.weightBytes,
      };
      set((s) => ({ models: [...s.models, spec], selectedId: id }));
      await saveSpec(spec).catch(() => undefined);
      return id;
    } catch (e) {
      useExplainStore.getState().showError(describeModelError(e));
      return null;
    } finally {
      set({ adding: null });
    }
  };

  return {
    models: [MNIST_SPEC],
    selectedId: MNIST_MODEL_ID,
    adding: null,
    isHydrated: false,

    select: (id) => {
      if (get().models.some((m) => m.id === id)) set({ selectedId: id });
    },

    addFromFiles: async (files) => {
      if (files.length === 0) return null;
      const client = explainClient();
      if (!client.addModel) return null;
      const id = newId();
      const folder = folderName(files);
      return add(folder ?? files[0]!.name, folder, async () => {
        const buffers = await Promise.all(files.map(async (f) => ({ name: f.name, data: await f.arrayBuffer() })));
        return client.addModel!({ id, files: buffers });
      }, 'files', id);
    },

    addFromUrl: async (url) => {
      const client = explainClient();
      if (!client.addModel || !url.trim()) return null;
      const id = newId();
      const folder = url.split('/').slice(-2, -1)[0] || null;
      return add(url, folder, () => client.addModel!({ id, url: new URL(url, location.href).href }), 'url', id);
    },

    remove: async (id) => {
      if (id === MNIST_MODEL_ID) return;
      set((s) => ({ models: s.models.filter((m) => m.id !== id), selectedId: s.selectedId === id ? MNIST_MODEL_ID : s.selectedId }));
      await Promise.all([explainClient().removeModel?.(id), (await specDb())?.delete(STORE, id)]).catch(() => undefined);
    },

    updateInput: (id, changes) => {
      const spec = get().models.find((m) => m.id === id);
      if (!spec || spec.source === 'builtin') return;
      const next = { ...spec, input: applyInputChanges(spec.input, changes) };
      set((s) => ({ models: s.models.map((m) => (m.id === id ? next : m)) }));
      void saveSpec(next).catch(() => undefined);
    },

    hydrate: () => {
      if (get().isHydrated) return Promise.resolve();
      // One read per page; isHydrated turns true once the kept specs are in the list (Dream relies on it).
      hydration ??= (async () => {
        const kept = ((await (await specDb())?.getAll(STORE).catch(() => [])) ?? []) as ModelSpec[];
        set((s) => ({ isHydrated: true, models: [...s.models, ...kept.filter((k) => !s.models.some((m) => m.id === k.id))] }));
      })();
      return hydration;
    },
  };
});

/** The selected model's spec. */
export function selectedModel(state: Pick<ModelsState, 'models' | 'selectedId'>): ModelSpec {
  return state.models.find((m) => m.id === state.selectedId) ?? MNIST_SPEC;
}
