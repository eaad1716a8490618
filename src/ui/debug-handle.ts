/**
 * A read-mostly handle on the app's stores at `window.__dreamlift`, for the
 * end-to-end tests (exact numbers instead of pixels) and for curious users in
 * the console. Plain data only; it runs nothing heavy on the main thread.
 */
import { useGalleryStore } from '../state/gallery-store';
import { benchmarkDreamGradient, dreamWorkerFaults, dreamWorkerMemory, useDreamStore } from '../state/dream-store';
import { explainWorkerFaults, explainWorkerMemory, useExplainStore } from '../state/explain-store';
import { flushSession } from '../state/persistence';
import { useRuntimeStore, type WorkerName } from '../state/runtime-store';
import { useFiltersStore } from '../state/filters-store';
import { usePhotoExplainStore } from '../state/photo-explain-store';
import { useSessionStore } from '../state/session-store';
import type { WorkerFaultHooks } from '../workers/device-lost';
import type { GradientBenchmark } from '../workers/dream-protocol';
import type { WorkerMemory } from '../workers/worker-stats';

export interface DebugHandle {
  explain: typeof useExplainStore.getState;
  dream: typeof useDreamStore.getState;
  /** The filter gallery's queue (what it computes in the Dream worker). */
  gallery: typeof useGalleryStore.getState;
  /** Explain on a photo model: its settings, status and latest result. */
  photoExplain: typeof usePhotoExplainStore.getState;
  /** "Which filters decided": its status and result. */
  filters: typeof useFiltersStore.getState;
  runtime: typeof useRuntimeStore.getState;
  /** Sets the model input directly: 784 values in [0, 1], light on dark. */
  setDigit: (pixels01: number[]) => void;
  /** Calls `listener` on every Dream store change (frames update `progress`); returns the unsubscribe function. */
  subscribeDream: typeof useDreamStore.subscribe;
  /**
   * tf.memory() and model load time of each worker lane (null where none runs), for soak tests and benchmarks:
   * `explain` is the interactive lane (Explain, Compare, which filters decided), `dream` the long lane
   * (Deep Dream, gallery, heatmaps, films); each is one thread with one copy of each of its models.
   */
  memory: () => Promise<{ explain: WorkerMemory | null; dream: WorkerMemory | null }>;
  /** Bare forward + gradient timings of the current dream objective on the current photo (benchmark baseline). */
  benchDreamGradient: (runs: number, warmup?: number) => Promise<GradientBenchmark | null>;
  /**
   * Fault injection for the end-to-end tests; each harms only this tab, and the app recovers by itself.
   * The worker is a lane: 'explain' the interactive one (Explain and Compare), 'dream' the long one.
   * killWorker: 'terminate' kills the worker from outside (as on out-of-memory), 'throw' makes it throw uncaught.
   * loseDevice: destroys the worker's WebGPU device (false when it runs on another backend).
   */
  /** The session: writes pending changes now; whether it is saved (and the notice if not). */
  session: { flush: () => Promise<void>; state: typeof useSessionStore.getState };
  faults: {
    killWorker: (worker: WorkerName, how?: 'terminate' | 'throw') => Promise<void>;
    loseDevice: (worker: WorkerName) => Promise<boolean>;
  };
}

const faultsOf = (worker: WorkerName): WorkerFaultHooks | null => (worker === 'explain' ? explainWorkerFaults() : dreamWorkerFaults());

declare global {
  interface Window {
    __dreamlift?: DebugHandle;
  }
}

export function installDebugHandle(): void {
  window.__dreamlift = {
    explain: useExplainStore.getState,
    dream: useDreamStore.getState,
    gallery: useGalleryStore.getState,
    photoExplain: usePhotoExplainStore.getState,
    filters: useFiltersStore.getState,
    runtime: useRuntimeStore.getState,
    setDigit: (pixels01) => useExplainStore.getState().setPixels(Float32Array.from(pixels01)),
    subscribeDream: useDreamStore.subscribe,
    memory: async () => {
      const [explain, dream] = await Promise.all([explainWorkerMemory(), dreamWorkerMemory()]);
      return { explain, dream };
    },
    benchDreamGradient: (runs, warmup) => benchmarkDreamGradient(runs, warmup),
    session: { flush: flushSession, state: useSessionStore.getState },
    faults: {
      killWorker: async (worker, how = 'terminate') => {
        await faultsOf(worker)?.kill(how);
      },
      loseDevice: async (worker) => (await faultsOf(worker)?.loseDevice()) ?? false,
    },
  };
}
