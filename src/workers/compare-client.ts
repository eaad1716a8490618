/**
 * Main-thread side of the Compare worker: signal-first calls over a
 * WorkerHandle (lazy worker, job ids, AbortSignal → `cancel(jobId)`, crash
 * detection), like explain-client.ts.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { CompareApi, CompareParams, CompareResult, EraseParams, EraseResult } from './compare-protocol';
import { WorkerHandle, type WorkerCrashedError } from './worker-handle';

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
}

export function createCompareClient(
  createWorker: () => Worker = () => new Worker(new URL('./compare.worker.ts', import.meta.url), { type: 'module', name: 'compare' }),
): CompareClient {
  const handle = new WorkerHandle<CompareApi>(createWorker, 'compare');
  let initFor: { preference: BackendPreference; promise: Promise<BackendInfo> } | null = null;
  handle.onCrash(() => {
    initFor = null;
  });
  const init = (preference: BackendPreference): Promise<BackendInfo> => {
    if (!handle.isStarted) initFor = null;
    if (!initFor || initFor.preference !== preference) {
      const promise = handle.run((api) => api.init(preference));
      initFor = { preference, promise };
      promise.catch(() => {
        if (initFor?.promise === promise) initFor = null;
      });
    }
    return initFor.promise;
  };
  return {
    init,
    compare(pixels01, params, { signal, preference } = {}) {
      return handle.run(async (api, jobId) => {
        await init(preference ?? initFor?.preference ?? 'auto');
        return api.compare(jobId, pixels01, params);
      }, { signal, graceMs: CANCEL_GRACE_MS });
    },
    erase(pixels01, params, { signal, preference } = {}) {
      return handle.run(async (api, jobId) => {
        await init(preference ?? initFor?.preference ?? 'auto');
        return api.erase(jobId, pixels01, params);
      }, { signal, graceMs: CANCEL_GRACE_MS });
    },
    onCrash: (listener) => handle.onCrash(listener),
    terminate: () => {
      handle.terminate();
      initFor = null;
    },
  };
}
