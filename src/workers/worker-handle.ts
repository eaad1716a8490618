/**
 * Main-thread side of a compute worker: creates it lazily, wraps it with
 * Comlink, numbers jobs, turns an AbortSignal into the worker's `cancel(jobId)`,
 * and notices when the worker dies (uncaught error, failed message) so the
 * caller can say so and a fresh worker starts on the next call.
 */
import * as Comlink from 'comlink';

/** Every worker API has a cancel(jobId) the client can call on abort. */
export interface CancellableApi {
  cancel(jobId: number): void;
}

export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

export function abortError(message = 'The operation was cancelled'): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

export interface RunOptions {
  signal?: AbortSignal;
  /** How long a cancelled job may take to stop before the worker is terminated (ms). */
  graceMs?: number;
}

type CrashListener = (error: WorkerCrashedError) => void;

export class WorkerHandle<Api extends CancellableApi> {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<Api> | null = null;
  private nextJobId = 1;
  private crashListeners = new Set<CrashListener>();
  private stopListeners = new Set<() => void>();
  private pending = new Set<(error: Error) => void>();

  constructor(
    private readonly create: () => Worker,
    private readonly label: string,
  ) {}

  /** The Comlink proxy, starting the worker if needed. */
  get api(): Comlink.Remote<Api> {
    if (!this.remote) {
      const worker = this.create();
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        this.crash(`The ${this.label} worker stopped unexpectedly${event.message ? `: ${event.message}` : ''}`);
      });
      worker.addEventListener('messageerror', () => this.crash(`The ${this.label} worker sent a message that could not be read`));
      this.worker = worker;
      this.remote = Comlink.wrap<Api>(worker);
    }
    return this.remote;
  }

  get isStarted(): boolean {
    return this.worker !== null;
  }

  onCrash(listener: CrashListener): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /**
   * Calls `listener` whenever the worker is ended (terminated, crashed, or ended after a
   * cancel it ignored), so per-worker caches (its started backend, its loaded models) are forgotten.
   */
  onStop(listener: () => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /**
   * Ends the worker now; the next call starts a fresh one. Jobs still running on it
   * can never answer, so they are rejected with `reason` (default: an AbortError, as
   * for a cancelled job: the app ended the worker on purpose),
   * e.g. the DeviceLostError that made one of them end the worker, so their callers
   * react as to that error. Several jobs may share a worker (explanation and filters).
   */
  terminate(reason?: Error): void {
    this.remote?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = null;
    this.remote = null;
    const pending = [...this.pending];
    this.pending.clear();
    const error = reason ?? abortError('The worker was stopped while this job ran');
    for (const reject of pending) reject(error);
    for (const listener of this.stopListeners) listener();
  }

  /** Kills the worker as if it had died (used by fault-injection tests and the watchdog). */
  crash(message: string): void {
    if (!this.worker) return;
    const error = new WorkerCrashedError(message);
    this.terminate(error);
    for (const listener of this.crashListeners) listener(error);
  }

  /**
   * Runs one job. Rejects with an AbortError when `signal` aborts (after asking
   * the worker to cancel; the worker is terminated if it ignores that past
   * `graceMs`), and with WorkerCrashedError if the worker dies meanwhile.
   */
  run<T>(call: (api: Comlink.Remote<Api>, jobId: number) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const { signal, graceMs = 5000 } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    const jobId = this.nextJobId++;
    const api = this.api;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        settled = true;
        clearTimeout(graceTimer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(onCrash);
      };
      const onCrash = (error: Error) => {
        if (settled) return;
        finish();
        reject(signal?.aborted ? abortError() : error);
      };
      const onAbort = () => {
        if (settled) return;
        try {
          void Promise.resolve(api.cancel(jobId)).catch(() => undefined);
        } catch {
          // The worker is already gone (terminated or crashed): nothing to cancel.
        }
        graceTimer = setTimeout(() => {
          if (settled) return;
          finish();
          this.terminate();
          reject(abortError());
        }, graceMs);
      };
      this.pending.add(onCrash);
      signal?.addEventListener('abort', onAbort, { once: true });
      call(api, jobId).then(
        (value) => {
          if (settled) return;
          finish();
          if (signal?.aborted) reject(abortError());
          else resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          finish();
          reject(signal?.aborted ? abortError() : error);
        },
      );
    });
  }
}
