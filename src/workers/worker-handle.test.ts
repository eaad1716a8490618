import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerHandle, isAbortError, type CancellableApi } from './worker-handle';

interface SlowApi extends CancellableApi {
  work(jobId: number, ms: number): Promise<string>;
}

/** A Worker stand-in over a MessageChannel, with the API exposed on the other port. */
function fakeWorker(options: { ignoreCancel?: boolean } = {}) {
  const channel = new MessageChannel();
  const cancelled = new Set<number>();
  const api: SlowApi = {
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
  Comlink.expose(api, channel.port2);
  let terminated = false;
  const listeners: Record<string, ((e: Event) => void)[]> = {};
  const port = channel.port1;
  const worker = {
    postMessage: (m: unknown, t?: Transferable[]) => port.postMessage(m, t ?? []),
    addEventListener: (type: string, fn: (e: Event) => void) => {
      if (type === 'message') port.addEventListener('message', fn as (e: MessageEvent) => void);
      else (listeners[type] ??= []).push(fn);
      port.start();
    },
    removeEventListener: (type: string, fn: (e: Event) => void) => {
      if (type === 'message') port.removeEventListener('message', fn as (e: MessageEvent) => void);
    },
    terminate: () => {
      terminated = true;
      port.close();
      channel.port2.close();
    },
    fireError: (message: string) => listeners.error?.forEach((fn) => fn({ message, preventDefault() {} } as unknown as Event)),
    get terminated() {
      return terminated;
    },
  };
  return worker;
}

describe('WorkerHandle', () => {
  const made: ReturnType<typeof fakeWorker>[] = [];
  afterEach(() => made.splice(0).forEach((w) => w.terminate()));

  function handle(options?: { ignoreCancel?: boolean }) {
    return new WorkerHandle<SlowApi>(() => {
      const w = fakeWorker(options);
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
});

describe('WorkerHandle after the worker is gone', () => {
  it('an abort after termination neither throws nor leaves the job pending', async () => {
    const channel = new MessageChannel();
    const api = { work: () => new Promise<string>(() => undefined), cancel: () => undefined };
    Comlink.expose(api, channel.port2);
    const h = new WorkerHandle<SlowApi>(() => {
      const port = channel.port1;
      return {
        postMessage: (m: unknown, t?: Transferable[]) => port.postMessage(m, t ?? []),
        addEventListener: (type: string, fn: EventListener) => {
          if (type === 'message') port.addEventListener('message', fn);
          port.start();
        },
        removeEventListener: (_type: string, fn: EventListener) => port.removeEventListener('message', fn),
        terminate: () => port.close(),
      } as unknown as Worker;
    }, 'test');
    const controller = new AbortController();
    const job = h.run((remote, id) => remote.work(id, 1), { signal: controller.signal, graceMs: 20 });
    h.terminate();
    expect(() => controller.abort()).not.toThrow();
    expect(isAbortError(await job.catch((e: unknown) => e))).toBe(true);
    channel.port2.close();
  });
});
