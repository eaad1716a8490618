import { afterEach, describe, expect, it } from 'vitest';
import { fakeWorker, type FakeWorker } from './testing/fake-worker';
import { WorkerHandle, isAbortError, type CancellableApi } from './worker-handle';

interface SlowApi extends CancellableApi {
  work(jobId: number, ms: number): Promise<string>;
}

/** A slow API whose jobs check for a cancel every few ms (unless told to ignore it). */
function slowApi(options: { ignoreCancel?: boolean } = {}): SlowApi {
  const cancelled = new Set<number>();
  return {
    async work(jobId, ms) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 5));
        if (!options.ignoreCancel && cancelled.has(jobId)) {
          const e = new Error('cancelled');
          e.name = 'AbortError';
          throw e;
        }
      }
      return `done ${jobId}`;
    },
    cancel(jobId) {
      cancelled.add(jobId);
    },
  };
}

describe('WorkerHandle', () => {
  const made: FakeWorker[] = [];
  afterEach(() => made.splice(0).forEach((w) => w.terminate()));

  function handle(options?: { ignoreCancel?: boolean }) {
    return new WorkerHandle<SlowApi>(() => {
      const w = fakeWorker(slowApi(options));
      made.push(w);
      return w as unknown as Worker;
    }, 'test');
  }

  it('runs a job and returns its result', async () => {
    const h = handle();
    await expect(h.run((api, id) => api.work(id, 10))).resolves.toBe('done 1');
    expect(made).toHaveLength(1);
  });

  it('cancels through the worker API on abort, keeping the worker', async () => {
    const h = handle();
    const controller = new AbortController();
    const job = h.run((api, id) => api.work(id, 5000), { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await job.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(made[0]!.terminated).toBe(false);
    await expect(h.run((api, id) => api.work(id, 5))).resolves.toBe('done 2');
    expect(made).toHaveLength(1);
  });

  it('terminates a worker that ignores the cancel past the grace period, then starts a new one', async () => {
    const h = handle({ ignoreCancel: true });
    const controller = new AbortController();
    const job = h.run((api, id) => api.work(id, 5000), { signal: controller.signal, graceMs: 50 });
    setTimeout(() => controller.abort(), 20);
    expect(isAbortError(await job.catch((e: unknown) => e))).toBe(true);
    expect(made[0]!.terminated).toBe(true);
    await expect(h.run((api, id) => api.work(id, 5))).resolves.toBe('done 2');
    expect(made).toHaveLength(2);
  });

  it('rejects every job still running when the worker is ended, with the reason given (a lost device fails them all)', async () => {
    const h = handle();
    const first = h.run((api, id) => api.work(id, 5000)).catch((e: unknown) => e);
    const second = h.run((api, id) => api.work(id, 5000)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    const lost = new Error('the device was lost');
    lost.name = 'DeviceLostError';
    h.terminate(lost);
    expect(await first).toBe(lost);
    expect(await second).toBe(lost);
    const plain = h.run((api, id) => api.work(id, 5000)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    h.terminate();
    expect(isAbortError(await plain)).toBe(true);
    await expect(h.run((api, id) => api.work(id, 5))).resolves.toMatch(/^done/);
  });

  it('rejects pending jobs when the worker dies and tells its listeners', async () => {
    const h = handle();
    const crashes: string[] = [];
    h.onCrash((e) => crashes.push(e.message));
    const job = h.run((api, id) => api.work(id, 5000));
    setTimeout(() => made[0]!.fireError('out of memory'), 20);
    const error = (await job.catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('WorkerCrashedError');
    expect(crashes).toEqual(['The test worker stopped unexpectedly: out of memory']);
    await expect(h.run((api, id) => api.work(id, 5))).resolves.toBe('done 2');
  });

  it('tells its stop listeners of every end: a crash, an ignored cancel, a terminate; not of a cancel that was heeded', async () => {
    const stops: number[] = [];
    const heeding = handle();
    heeding.onStop(() => stops.push(made.length));
    const controller = new AbortController();
    const job = heeding.run((api, id) => api.work(id, 5000), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await job.catch(() => undefined);
    expect(stops).toEqual([]);
    const crashing = heeding.run((api, id) => api.work(id, 5000)).catch(() => undefined);
    setTimeout(() => made[0]!.fireError('out of memory'), 20);
    await crashing;
    expect(stops).toEqual([1]);

    const ignoring = handle({ ignoreCancel: true });
    const off = ignoring.onStop(() => stops.push(made.length));
    const stuck = new AbortController();
    const late = ignoring.run((api, id) => api.work(id, 5000), { signal: stuck.signal, graceMs: 30 });
    setTimeout(() => stuck.abort(), 10);
    await late.catch(() => undefined);
    expect(stops).toEqual([1, 2]);
    ignoring.terminate();
    expect(stops).toEqual([1, 2, 2]);
    off();
    ignoring.terminate();
    expect(stops).toHaveLength(3);
  });
});

describe('WorkerHandle after the worker is gone', () => {
  it('an abort after termination neither throws nor leaves the job pending', async () => {
    const worker = fakeWorker({ work: () => new Promise<string>(() => undefined), cancel: () => undefined });
    const h = new WorkerHandle<SlowApi>(() => worker as unknown as Worker, 'test');
    const controller = new AbortController();
    const job = h.run((remote, id) => remote.work(id, 1), { signal: controller.signal, graceMs: 20 });
    h.terminate();
    expect(() => controller.abort()).not.toThrow();
    expect(isAbortError(await job.catch((e: unknown) => e))).toBe(true);
    expect(worker.terminated).toBe(true);
  });
});
