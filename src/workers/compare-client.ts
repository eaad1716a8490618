/**
 * Main-thread side of Compare: signal-first calls on the interactive lane,
 * the same worker, backend and copy of the MNIST model as Explain (lanes.ts),
 * so it inherits the lane's crash detection, device-loss restart, memory()
 * and fault hooks.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { WorkerFaultHooks } from './device-lost';
import type { CompareParams, CompareResult, EraseParams, EraseResult } from './compare-protocol';
import { createInteractiveLane, interactiveLane, type InteractiveLane } from './lanes';
import type { WorkerCrashedError } from './worker-handle';
import type { WorkerMemory } from './worker-stats';

/** A cancelled job is checked between methods; a worker stuck past this is terminated. */
const CANCEL_GRACE_MS = 30_000;

export interface CompareRunOptions {
  signal?: AbortSignal;
  preference?: BackendPreference;
}

/** What the compare store needs (tests pass a stub). */
export interface CompareClient {
  init(preference: BackendPreference): Promise<BackendInfo>;
  compare(pixels01: Float32Array, params: CompareParams, options?: CompareRunOptions): Promise<CompareResult>;
  erase(pixels01: Float32Array, params: EraseParams, options?: CompareRunOptions): Promise<EraseResult>;
  onCrash(listener: (error: WorkerCrashedError) => void): () => void;
  terminate(): void;
  /** The lane's tf.memory() and model load time; null when its worker does not run. */
  memory?(): Promise<WorkerMemory | null>;
  /** Test-only fault hooks (the lane's, shared with Explain). */
  faults?: WorkerFaultHooks;
}

/** The Compare client on the interactive lane (default: the page's, shared with Explain); tests pass a worker factory. */
export function createCompareClient(source: (() => Worker) | InteractiveLane = interactiveLane()): CompareClient {
  const lane = typeof source === 'function' ? createInteractiveLane(source) : source;
  return {
    init: lane.init,
    compare: (pixels01, params, { signal, preference } = {}) =>
      lane.job((api, jobId) => api.compare(jobId, pixels01, params), { signal, preference, graceMs: CANCEL_GRACE_MS }),
    erase: (pixels01, params, { signal, preference } = {}) =>
      lane.job((api, jobId) => api.erase(jobId, pixels01, params), { signal, preference, graceMs: CANCEL_GRACE_MS }),
    onCrash: lane.onCrash,
    terminate: lane.terminate,
    memory: lane.memory,
    faults: lane.faults,
  };
}
