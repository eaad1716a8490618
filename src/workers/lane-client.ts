/**
 * Main-thread side of one worker lane (lane-api.ts), shared by every feature
 * client on that lane (explain-client, compare-client on the interactive lane;
 * dream-client, film-client on the long lane). Over a WorkerHandle (lazy
 * worker, job ids, AbortSignal → `cancel(jobId)`, crash detection) it adds
 * what each client used to repeat:
 *
 * - the backend, started once per worker and preference;
 * - a lost GPU device: the failing job ends the worker (the other jobs on it fail
 *   the same way), and the next worker skips WebGPU, giving the loss as the reason;
 * - crash and reset: listeners hear of a crash; per-worker caches are forgotten
 *   whenever the worker ends, for whatever reason;
 * - memory() (tf.memory() of the lane's thread) and the test-only fault hooks.
 */
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type * as Comlink from 'comlink';
import type { BackendStartOptions, WorkerFault, WorkerFaultHooks } from './device-lost';
import { isDeviceLostError } from './device-lost';
import { faultHooks } from './fault-hooks';
import { WorkerHandle, type CancellableApi, type RunOptions, type WorkerCrashedError } from './worker-handle';
import type { WorkerMemory } from './worker-stats';

/** What every lane's exposed object has (whatever its feature modules). */
export interface LaneApi extends CancellableApi {
  init(preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo>;
  memory(): Promise<WorkerMemory>;
  fault?(kind: WorkerFault): Promise<boolean>;
}

export interface LaneJobOptions extends RunOptions {
  /** Start the backend first, for this preference (default: the one it was last started with, else 'auto'). */
  preference?: BackendPreference;
}

export interface LaneClientOptions {
  /** Names the worker in crash messages ("The explain worker stopped unexpectedly"). */
  label: string;
  create: () => Worker;
  /**
   * What a new backend preference does: 'switch' starts it in the same worker (its
   * models are loaded again there); 'restart' ends the worker and starts a fresh one
   * (a worker keeps its backend, and the weights on it, for good).
   */
  onNewPreference: 'switch' | 'restart';
}

export interface LaneClient<Api extends LaneApi> {
  readonly label: string;
  /** Whether the lane's worker runs now. */
  readonly isStarted: boolean;
  /** Starts the backend (once per worker and preference; WebGPU skipped after a device loss). */
  init(preference: BackendPreference): Promise<BackendInfo>;
  /** The preference the backend was last started with, else 'auto'. */
  preference(): BackendPreference;
  /** Runs one job, the backend started first. Rejects with AbortError on abort, WorkerCrashedError on a crash. */
  job<T>(call: (api: Comlink.Remote<Api>, jobId: number) => Promise<T>, options?: LaneJobOptions): Promise<T>;
  /** Runs one call without starting the backend first (same crash and device-loss handling). */
  call<T>(call: (api: Comlink.Remote<Api>, jobId: number) => Promise<T>, options?: RunOptions): Promise<T>;
  /** tf.memory() of the lane's thread and its model load time; null when no worker runs (does not start one). */
  memory(): Promise<WorkerMemory | null>;
  /** Test-only fault hooks (window.__dreamlift.faults). */
  readonly faults: WorkerFaultHooks;
  /** After a lost device: forgets the loss and ends the worker; the next call starts one that tries WebGPU again. */
  retryGpu(): void;
  /** Ends the worker; its running jobs reject with AbortError. */
  terminate(): void;
  onCrash(listener: (error: WorkerCrashedError) => void): () => void;
  /** Called whenever the worker ends (crash, terminate, device loss, ignored cancel), for per-worker caches. */
  onReset(listener: () => void): () => void;
}

export function createLaneClient<Api extends LaneApi>(options: LaneClientOptions): LaneClient<Api> {
  const { label, create, onNewPreference } = options;
  const handle = new WorkerHandle<Api>(create, label);
  let initFor: { preference: BackendPreference; promise: Promise<BackendInfo> } | null = null;
  /** Why the GPU device was lost in an earlier worker; later workers skip WebGPU (until the page reloads or retryGpu). */
  let gpuLost: string | null = null;
  handle.onStop(() => {
    initFor = null;
  });

  /** A lost device leaves the worker's backend useless: end the worker; the next call starts one on the next backend. */
  const afterFailure = (error: unknown): never => {
    if (isDeviceLostError(error)) {
      gpuLost = error instanceof Error ? error.message : String(error);
      // Other jobs on this worker overlapped the lost device too: they fail the same way (and are rerun).
      handle.terminate(error instanceof Error ? error : undefined);
    }
    throw error;
  };

  const call = <T>(fn: (api: Comlink.Remote<Api>, jobId: number) => Promise<T>, runOptions: RunOptions = {}): Promise<T> =>
    handle.run(fn, runOptions).catch(afterFailure);

  const init = (preference: BackendPreference): Promise<BackendInfo> => {
    if (initFor && initFor.preference !== preference && onNewPreference === 'restart') handle.terminate();
    if (!initFor || initFor.preference !== preference) {
      const promise = call((api) => api.init(preference, { gpuLost }));
      initFor = { preference, promise };
      promise.catch(() => {
        if (initFor?.promise === promise) initFor = null;
      });
    }
    return initFor.promise;
  };

  const preference = (): BackendPreference => initFor?.preference ?? 'auto';

  return {
    label,
    get isStarted() {
      return handle.isStarted;
    },
    init,
    preference,
    job: (fn, { preference: wanted, ...runOptions } = {}) =>
      call(async (api, jobId) => {
        await init(wanted ?? preference());
        return fn(api, jobId);
      }, runOptions),
    call,
    memory: () => (handle.isStarted ? handle.run((api) => api.memory()) : Promise.resolve(null)),
    faults: faultHooks(handle, label),
    retryGpu: () => {
      gpuLost = null;
      handle.terminate();
    },
    terminate: () => handle.terminate(),
    onCrash: (listener) => handle.onCrash(listener),
    onReset: (listener) => handle.onStop(listener),
  };
}
