/**
 * The lanes on the main thread, over Worker stand-ins: Explain and Compare
 * share one worker and one backend start; Compare is cancellable and inherits
 * the lane's device-loss restart and memory(); a crash of either lane leaves
 * the other one running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendPreference } from '../engine/backend';
import { createCompareClient } from './compare-client';
import type { CompareParams, CompareResult } from './compare-protocol';
import { DeviceLostError, isDeviceLostError, type BackendStartOptions } from './device-lost';
import { createDreamClient } from './dream-client';
import type { DreamResult, RawImage } from './dream-protocol';
import { createExplainClient } from './explain-client';
import type { ExplainParams, ExplainResult } from './explain-protocol';
import { createInteractiveLane, createLongLane } from './lanes';
import { fakeWorker, type FakeWorker } from './testing/fake-worker';
import { isAbortError } from './worker-handle';

const explainParams: ExplainParams = { rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: { kind: 'black' } };
const compareParams: CompareParams = { target: null, contrast: null, reference: { kind: 'black' }, steps: 4, references: 2, methods: ['gradient'] };
const pixels = () => new Float32Array(784);
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const abortError = () => Object.assign(new Error('cancelled'), { name: 'AbortError' });

/** What one fake lane worker saw. */
interface Log {
  inits: { preference: BackendPreference; options?: BackendStartOptions }[];
  calls: string[];
  cancels: number[];
}

/** A stand-in interactive lane: explain answers at once; compare waits `compareMs` (checking cancel), or loses the device. */
function interactiveApi(log: Log, behaviour: { compareMs?: number; loseDevice?: boolean } = {}) {
  const cancelled = new Set<number>();
  let backend = '';
  return {
    async init(preference: BackendPreference, options?: BackendStartOptions) {
      log.inits.push({ preference, options });
      backend = options?.gpuLost ? 'wasm' : 'webgpu';
      return { name: backend, requested: preference, fallbackReason: options?.gpuLost ?? null, adapter: null, isSoftwareGpu: false };
    },
    async explain(jobId: number) {
      log.calls.push(`explain ${jobId}`);
      return { predicted: 7 } as unknown as ExplainResult;
    },
    async compare(jobId: number) {
      log.calls.push(`compare ${jobId}`);
      if (behaviour.loseDevice) throw new DeviceLostError('The GPU device was lost (destroyed)');
      const end = Date.now() + (behaviour.compareMs ?? 0);
      while (Date.now() < end) {
        await tick(2);
        if (cancelled.has(jobId)) throw abortError();
      }
      return { target: 7, contrast: null, predicted: 7, maps: [] } satisfies CompareResult;
    },
    cancel(jobId: number) {
      log.cancels.push(jobId);
      cancelled.add(jobId);
    },
    async memory() {
      return { numTensors: 28, numBytes: 1000, numDataBuffers: 28, backend, modelLoadMs: 80 };
    },
  };
}

/** A stand-in long lane: a dream runs `ms`, checking cancel, and sends no frames. */
function longApi(log: Log, ms: number) {
  const cancelled = new Set<number>();
  return {
    async init(preference: BackendPreference, options?: BackendStartOptions) {
      log.inits.push({ preference, options });
      return { name: 'wasm', requested: preference, fallbackReason: null, adapter: null, isSoftwareGpu: false };
    },
    async dream(jobId: number, photo: RawImage): Promise<DreamResult> {
      log.calls.push(`dream ${jobId}`);
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await tick(2);
        if (cancelled.has(jobId)) throw abortError();
      }
      return { jobId, width: photo.width, height: photo.height, frames: 0, elapsedMs: ms, objective: 1 };
    },
    cancel(jobId: number) {
      cancelled.add(jobId);
    },
    async memory() {
      return { numTensors: 100, numBytes: 2000, numDataBuffers: 100, backend: 'wasm', modelLoadMs: 400 };
    },
  };
}

const newLog = (): Log => ({ inits: [], calls: [], cancels: [] });
const photo = (): RawImage => ({ width: 4, height: 4, pixels: new Uint8ClampedArray(64) });

describe('worker lanes on the main thread', () => {
  const workers: FakeWorker[] = [];
  const spawn = (api: object) => () => {
    const w = fakeWorker(api);
    workers.push(w);
    return w as unknown as Worker;
  };
  afterEach(() => workers.splice(0).forEach((w) => w.terminate()));

  it('Explain and Compare on one lane share one worker and one backend start', async () => {
    const log = newLog();
    const started: FakeWorker[] = [];
    const lane = createInteractiveLane(() => {
      const w = fakeWorker(interactiveApi(log));
      started.push(w);
      workers.push(w);
      return w as unknown as Worker;
    });
    const explain = createExplainClient(lane);
    const compare = createCompareClient(lane);
    expect(await explain.memory!()).toBeNull(); // no worker yet, and asking starts none
    expect(started).toHaveLength(0);
    await explain.init('webgpu');
    await explain.explain(pixels(), explainParams, { preference: 'webgpu' });
    await compare.compare(pixels(), compareParams, { preference: 'webgpu' });
    expect(started).toHaveLength(1);
    expect(log.inits.map((i) => i.preference)).toEqual(['webgpu']);
    expect(log.calls).toEqual(['explain 2', 'compare 3']); // one job counter for the lane (1 was the init): ids never clash
    // One lane, one memory: the same reading through either client.
    expect(await compare.memory!()).toEqual(await explain.memory!());
  });

  it('an aborted Compare job is cancelled in the worker and rejects with AbortError, the worker kept', async () => {
    const log = newLog();
    const lane = createInteractiveLane(spawn(interactiveApi(log, { compareMs: 2000 })));
    const compare = createCompareClient(lane);
    const controller = new AbortController();
    const t0 = Date.now();
    const running = compare.compare(pixels(), compareParams, { signal: controller.signal }).catch((e: unknown) => e);
    await tick(20);
    controller.abort();
    expect(isAbortError(await running)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(log.cancels).toHaveLength(1);
    expect(log.calls).toEqual([`compare ${log.cancels[0]}`]);
    expect(workers).toHaveLength(1); // stopped in time: the worker was not terminated
    expect(workers[0]!.terminated).toBe(false);
  });

  it('a device lost during Compare ends the lane\'s worker; Explain then runs on a fresh one that skips WebGPU', async () => {
    const log = newLog();
    let n = 0;
    const lane = createInteractiveLane(() => {
      const w = fakeWorker(interactiveApi(log, { loseDevice: n++ === 0 }));
      workers.push(w);
      return w as unknown as Worker;
    });
    const explain = createExplainClient(lane);
    const compare = createCompareClient(lane);
    expect((await explain.init('webgpu')).name).toBe('webgpu');
    await expect(compare.compare(pixels(), compareParams, { preference: 'webgpu' })).rejects.toSatisfy(isDeviceLostError);
    expect(workers[0]!.terminated).toBe(true);
    expect((await explain.explain(pixels(), explainParams, { preference: 'webgpu' })).predicted).toBe(7);
    expect(workers).toHaveLength(2);
    expect(log.inits.map((i) => i.options)).toEqual([{ gpuLost: null }, { gpuLost: 'The GPU device was lost (destroyed)' }]);
    expect((await compare.memory!())?.backend).toBe('wasm');
  });

  it('a crash of the interactive lane leaves the long lane running, and the other way round', async () => {
    const iLog = newLog();
    const lLog = newLog();
    const interactive = createInteractiveLane(spawn(interactiveApi(iLog, { compareMs: 5000 })));
    const long = createLongLane(spawn(longApi(lLog, 150)));
    const explain = createExplainClient(interactive);
    const compare = createCompareClient(interactive);
    const dream = createDreamClient(long);
    const crashes: string[] = [];
    compare.onCrash((e) => crashes.push(`compare: ${e.message}`));
    explain.onCrash((e) => crashes.push(`explain: ${e.message}`));
    dream.onCrash((e) => crashes.push(`dream: ${e.message}`));

    await dream.init('wasm');
    const dreaming = dream.run(photo(), { layers: [], octaves: 1, octaveScale: 1.3, steps: 1, stepSize: 0.01, jitter: 0, seed: 1 } as never);
    const comparing = compare.compare(pixels(), compareParams).catch((e: unknown) => e);
    await tick(30);
    const [interactiveWorker, longWorker] = [workers[1]!, workers[0]!];
    interactiveWorker.fireError('out of memory');
    expect(await comparing).toMatchObject({ name: 'WorkerCrashedError', message: 'The explain worker stopped unexpectedly: out of memory' });
    expect(crashes).toEqual([
      'compare: The explain worker stopped unexpectedly: out of memory',
      'explain: The explain worker stopped unexpectedly: out of memory',
    ]);
    // The dream on the other lane finishes on its own worker.
    expect((await dreaming).width).toBe(4);
    expect(longWorker.terminated).toBe(false);
    expect(await dream.memory!()).toMatchObject({ numTensors: 100 });

    // And the other way round: the long lane dies mid-dream; Explain answers on a fresh interactive worker.
    const second = dream.run(photo(), { layers: [], octaves: 1, octaveScale: 1.3, steps: 1, stepSize: 0.01, jitter: 0, seed: 1 } as never).catch((e: unknown) => e);
    await tick(30);
    longWorker.fireError('Injected fault');
    expect(await second).toMatchObject({ name: 'WorkerCrashedError', message: 'The Deep Dream worker stopped unexpectedly: Injected fault' });
    expect((await explain.explain(pixels(), explainParams)).predicted).toBe(7);
    expect(crashes).toHaveLength(3);
    expect(workers.filter((w) => !w.terminated)).toHaveLength(1); // the new interactive worker; the long lane restarts on its next call
    expect(await dream.memory!()).toBeNull();
  });
});
