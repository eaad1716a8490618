import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DREAM_PARAMS } from '../engine/dream/dream';
import { createDreamClient, type DreamFrame } from './dream-client';
import type { DreamApi, DreamFrameMessage, RawImage } from './dream-protocol';
import { fakeWorker, type FakeWorker } from './testing/fake-worker';
import { isAbortError } from './worker-handle';

const raw = (width: number, height: number, value = 0): RawImage => ({ width, height, pixels: new Uint8ClampedArray(width * height * 4).fill(value) });

/** A fake dream API: sends one frame of a foreign job, then `steps` frames, checking cancel between them. */
function fakeApi(log: string[]) {
  const cancelled = new Set<number>();
  const api: DreamApi = {
    async init(preference) {
      log.push(`init ${preference}`);
      return { name: 'cpu', requested: preference, fallbackReason: null, adapter: null, isSoftwareGpu: false };
    },
    async loadModel(onProgress) {
      log.push('loadModel');
      await onProgress?.(0.5);
      return { layerNames: ['mixed3'] };
    },
    async dream(jobId, photo, params, onFrame, guide) {
      const p = photo as RawImage;
      log.push(`dream ${jobId} ${p.width}x${p.height}`);
      if (guide) log.push(`guide ${(guide as RawImage).width}x${(guide as RawImage).height} ${(guide as RawImage).pixels[0]}`);
      const message = (id: number, step: number): DreamFrameMessage => ({
        jobId: id, octave: 0, octaves: 1, step, steps: params.steps, width: p.width, height: p.height, objective: step, elapsedMs: step, image: raw(p.width, p.height, step),
      });
      await onFrame(message(jobId + 100, 0));
      for (let s = 1; s <= params.steps; s++) {
        await new Promise((r) => setTimeout(r, 5));
        if (cancelled.has(jobId)) {
          const e = new Error('cancelled');
          e.name = 'AbortError';
          throw e;
        }
        await onFrame(message(jobId, s));
      }
      return { jobId, width: p.width, height: p.height, frames: params.steps, elapsedMs: 1, objective: 1 };
    },
    cancel(jobId) {
      log.push(`cancel ${jobId}`);
      cancelled.add(jobId);
    },
    async memory() {
      return { numTensors: 0, numBytes: 0, numDataBuffers: 0, backend: 'cpu', modelLoadMs: null };
    },
    async benchmarkGradient(photo) {
      const p = photo as RawImage;
      return { width: p.width, height: p.height, passMs: [1] };
    },
  };
  return api;
}

describe('dream client', () => {
  let log: string[];
  let workers: FakeWorker[];
  const makeClient = () =>
    createDreamClient(() => {
      const w = fakeWorker(fakeApi(log));
      workers.push(w);
      return w as unknown as Worker;
    });

  beforeEach(() => {
    log = [];
    workers = [];
    // Node has neither ImageData nor createImageBitmap: raw frames become stand-in bitmaps.
    vi.stubGlobal('ImageData', class { constructor(public data: Uint8ClampedArray, public width: number, public height: number) {} });
    vi.stubGlobal('createImageBitmap', async (d: { data: Uint8ClampedArray; width: number; height: number }) => ({ width: d.width, height: d.height, first: d.data[0], close: vi.fn() }));
  });
  afterEach(() => {
    workers.forEach((w) => w.terminate());
    vi.unstubAllGlobals();
  });

  it('inits and loads once, reports progress, sends a copy of the photo and passes only its own frames on', async () => {
    const client = makeClient();
    await client.init('cpu');
    await client.init('cpu');
    const progress: number[] = [];
    await Promise.all([client.loadModel((f) => progress.push(f)), client.loadModel()]);
    expect(log).toEqual(['init cpu', 'loadModel']);
    expect(progress).toEqual([0.5]);
    const photo = raw(6, 4, 9);
    const frames: DreamFrame[] = [];
    const result = await client.run(photo, { ...DEFAULT_DREAM_PARAMS, steps: 3 }, { onFrame: (f) => frames.push(f) });
    expect(result).toMatchObject({ width: 6, height: 4, frames: 3 });
    expect(frames.map((f) => f.step)).toEqual([1, 2, 3]);
    expect(frames.every((f) => f.jobId === frames[0]!.jobId && f.bitmap.width === 6)).toBe(true);
    expect((frames[2]!.bitmap as unknown as { first: number }).first).toBe(3);
    // The caller's photo was copied, not transferred away.
    expect(photo.pixels.length).toBe(6 * 4 * 4);
    expect(photo.pixels[0]).toBe(9);
  });

  it('sends a copy of the guide with the photo; the caller keeps its own', async () => {
    const client = makeClient();
    const guide = raw(5, 3, 77);
    await client.run(raw(6, 4), { ...DEFAULT_DREAM_PARAMS, steps: 1 }, { guide });
    expect(log.filter((l) => l.startsWith('guide'))).toEqual(['guide 5x3 77']);
    expect(guide.pixels.length).toBe(5 * 3 * 4);
    await client.run(raw(6, 4), { ...DEFAULT_DREAM_PARAMS, steps: 1 }, { guide: null });
    expect(log.filter((l) => l.startsWith('guide'))).toHaveLength(1);
  });

  it('abort cancels the job in the worker and rejects with AbortError', async () => {
    const client = makeClient();
    const controller = new AbortController();
    const frames: DreamFrame[] = [];
    const run = client.run(raw(4, 4), { ...DEFAULT_DREAM_PARAMS, steps: 50 }, {
      signal: controller.signal,
      onFrame: (f) => {
        frames.push(f);
        if (frames.length === 2) controller.abort();
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(log.some((l) => l.startsWith('cancel'))).toBe(true);
    expect(frames.length).toBe(2);
  });

  it('after a crash the next call starts a fresh worker and loads the model again', async () => {
    const client = makeClient();
    const crashes: string[] = [];
    client.onCrash((e) => crashes.push(e.name));
    await client.init('cpu');
    await client.loadModel();
    const run = client.run(raw(4, 4), { ...DEFAULT_DREAM_PARAMS, steps: 50 });
    await new Promise((r) => setTimeout(r, 20));
    workers[0]!.fireError('out of memory');
    await expect(run).rejects.toMatchObject({ name: 'WorkerCrashedError' });
    expect(crashes).toEqual(['WorkerCrashedError']);
    await client.init('cpu');
    await client.loadModel();
    expect(workers.length).toBe(2);
    expect(log.filter((l) => l === 'loadModel').length).toBe(2);
  });

  it('a new backend preference gets a new worker', async () => {
    const client = makeClient();
    await client.init('wasm');
    await client.loadModel();
    await client.init('cpu');
    expect(workers.length).toBe(2);
    expect(log).toEqual(['init wasm', 'loadModel', 'init cpu']);
  });
});
