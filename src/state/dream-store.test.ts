import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendInfo } from '../engine/backend';
import type { DreamParams } from '../engine/dream/params';
import type { DreamClient, DreamFrame, DreamRunOptions } from '../workers/dream-client';
import type { DreamResult } from '../workers/dream-protocol';
import { WorkerCrashedError, abortError } from '../workers/worker-handle';
import {
  DEFAULT_SETTINGS,
  costKey,
  dreamEstimate,
  GUIDE_WITH_FILTER_MESSAGE,
  getGuideBitmap,
  getPhotoBitmap,
  parseFilter,
  registerFrameSink,
  resetDreamStore,
  setDreamClient,
  toDreamParams,
  useDreamStore,
  validateSettings,
} from './dream-store';
import { useRuntimeStore } from './runtime-store';

const INFO: BackendInfo = { name: 'wasm', requested: 'auto', fallbackReason: 'no GPU', adapter: null, isSoftwareGpu: false };

function fakeBitmap(width: number, height: number) {
  return { width, height, close: vi.fn() } as unknown as ImageBitmap & { close: ReturnType<typeof vi.fn> };
}

interface PendingRun {
  params: DreamParams;
  options: DreamRunOptions;
  resolve: (r: DreamResult) => void;
  reject: (e: unknown) => void;
}

/** A client whose runs finish only when the test says so. */
function stubClient() {
  const runs: PendingRun[] = [];
  let releaseModel: (() => void) | null = null;
  let holdModel = false;
  const client: DreamClient & { runs: PendingRun[]; holdModel: (hold: boolean) => void; releaseModel: () => void } = {
    runs,
    holdModel: (hold) => {
      holdModel = hold;
    },
    releaseModel: () => releaseModel?.(),
    init: vi.fn(async () => INFO),
    loadModel: vi.fn(async (onProgress?: (f: number) => void) => {
      onProgress?.(0.42);
      if (holdModel) await new Promise<void>((r) => (releaseModel = r));
      return { layerNames: ['mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5'] };
    }),
    run: vi.fn(
      (_photo: unknown, params: DreamParams, options: DreamRunOptions = {}) =>
        new Promise<DreamResult>((resolve, reject) => {
          runs.push({ params, options, resolve, reject });
          options.signal?.addEventListener('abort', () => reject(abortError()));
        }),
    ),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
  };
  return client;
}

const frame = (over: Partial<DreamFrame> = {}): DreamFrame => ({
  jobId: 1,
  octave: 0,
  octaves: 2,
  step: 1,
  steps: 2,
  width: 40,
  height: 30,
  objective: 1,
  elapsedMs: 100,
  bitmap: fakeBitmap(40, 30),
  ...over,
});

const flush = () => new Promise((r) => setTimeout(r, 0));

function givePhoto(width = 80, height = 60) {
  const bitmap = fakeBitmap(width, height);
  useDreamStore.getState().setPhoto(
    { bitmap, width, height, originalWidth: width * 10, originalHeight: height * 10, isScaled: true },
    { file: new Blob(['x']), name: 'cat.png' },
  );
  return bitmap;
}

afterEach(() => {
  resetDreamStore();
  setDreamClient(null);
});

describe('settings', () => {
  it('parses the filter against the layer’s channel count', () => {
    expect(parseFilter('', 256)).toEqual({ channel: null, error: null });
    expect(parseFilter(' All ', 256)).toEqual({ channel: null, error: null });
    expect(parseFilter('255', 256)).toEqual({ channel: 255, error: null });
    expect(parseFilter('256', 256).error).toMatch(/256 channels.*0 to 255/);
    expect(parseFilter('-1', 256).error).toMatch(/0 to 255/);
    expect(parseFilter('1.5', 256).error).toMatch(/channel number/);
  });

  it('validates every number and builds the engine parameters', () => {
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual({});
    const bad = validateSettings({ ...DEFAULT_SETTINGS, octaves: NaN, steps: 0, stepSize: -1, octaveScale: 5, seed: 1.5, layer: 'mixed0', filter: '300' });
    expect(Object.keys(bad).sort()).toEqual(['filter', 'octaveScale', 'octaves', 'seed', 'stepSize', 'steps']);
    const params = toDreamParams({ ...DEFAULT_SETTINGS, layer: 'mixed4', filter: '7', octaves: 3, steps: 4, objective: 'mean', fromNoise: true });
    expect(params).toMatchObject({ layers: [{ name: 'mixed4', weight: 1 }], channel: 7, octaves: 3, steps: 4, objective: 'mean', fromNoise: true });
  });

  it('presets set several settings and a manual change makes them custom', () => {
    const s = useDreamStore.getState();
    s.applyPreset('deep');
    expect(useDreamStore.getState().settings).toMatchObject({ layer: 'mixed5', objective: 'l2', octaves: 5 });
    expect(useDreamStore.getState().preset).toBe('deep');
    s.setSetting('steps', 3);
    expect(useDreamStore.getState().preset).toBe('custom');
  });
});

describe('runs', () => {
  it('starts with the photo and the chosen params, reports the backend, streams frames to the sink and finishes', async () => {
    const client = stubClient();
    setDreamClient(client);
    const photo = givePhoto();
    const drawn: DreamFrame[] = [];
    registerFrameSink((f) => drawn.push(f));
    useDreamStore.getState().setSetting('octaves', 2);
    useDreamStore.getState().setSetting('steps', 2);
    const done = useDreamStore.getState().start();
    await flush();
    expect(useRuntimeStore.getState().backends.dream).toEqual(INFO);
    expect(useDreamStore.getState().status).toBe('running');
    expect(client.run).toHaveBeenCalledWith(photo, expect.objectContaining({ octaves: 2, steps: 2 }), expect.anything());
    const run = client.runs[0]!;
    run.options.onFrame!(frame({ octave: 0, step: 1, elapsedMs: 1000 }));
    expect(useDreamStore.getState().progress).toMatchObject({ octave: 0, step: 1, octaves: 2, steps: 2 });
    // Step work is weighted by octave area: the first octave is the smaller one.
    const p1 = useDreamStore.getState().progress!;
    expect(p1.fraction).toBeGreaterThan(0);
    expect(p1.fraction).toBeLessThan(0.25);
    expect(p1.etaMs).toBeGreaterThan(0);
    run.options.onFrame!(frame({ octave: 1, step: 2, elapsedMs: 3000 }));
    expect(useDreamStore.getState().progress!.fraction).toBe(1);
    run.resolve({ jobId: 1, width: 80, height: 60, frames: 2, elapsedMs: 3000, objective: 2 });
    await done;
    expect(drawn.length).toBe(2);
    expect(useDreamStore.getState()).toMatchObject({ status: 'done', hasResult: true, error: null });
    expect(useDreamStore.getState().lastRun).toMatchObject({ elapsedMs: 3000, width: 80, height: 60 });
  });

  it('shows model loading with its progress before the first run', async () => {
    const client = stubClient();
    client.holdModel(true);
    setDreamClient(client);
    givePhoto();
    const done = useDreamStore.getState().start();
    await flush();
    expect(useDreamStore.getState()).toMatchObject({ status: 'loading-model', modelProgress: 0.42 });
    client.releaseModel();
    await flush();
    expect(useDreamStore.getState().status).toBe('running');
    client.runs[0]!.resolve({ jobId: 1, width: 80, height: 60, frames: 0, elapsedMs: 1, objective: 0 });
    await done;
  });

  it('cancel returns to idle quietly, keeps the result and drops late frames', async () => {
    const client = stubClient();
    setDreamClient(client);
    givePhoto();
    const drawn: DreamFrame[] = [];
    registerFrameSink((f) => drawn.push(f));
    const done = useDreamStore.getState().start();
    await flush();
    const run = client.runs[0]!;
    run.options.onFrame!(frame());
    useDreamStore.getState().cancel();
    const late = frame({ step: 2 });
    run.options.onFrame!(late);
    await done;
    expect(useDreamStore.getState()).toMatchObject({ status: 'idle', error: null, hasResult: true });
    expect(drawn.length).toBe(1);
    expect(late.bitmap.close).toHaveBeenCalled();
  });

  it('a frame of an older run never reaches the canvas of a newer one', async () => {
    const client = stubClient();
    setDreamClient(client);
    givePhoto();
    const drawn: DreamFrame[] = [];
    registerFrameSink((f) => drawn.push(f));
    void useDreamStore.getState().start();
    await flush();
    useDreamStore.getState().cancel();
    void useDreamStore.getState().start();
    await flush();
    const old = frame({ objective: -1 });
    client.runs[0]!.options.onFrame!(old);
    client.runs[1]!.options.onFrame!(frame({ objective: 2 }));
    expect(drawn.map((f) => f.objective)).toEqual([2]);
    expect(old.bitmap.close).toHaveBeenCalled();
  });

  it('a worker crash is reported, the photo and settings stay, and the next start runs again', async () => {
    const client = stubClient();
    setDreamClient(client);
    const photo = givePhoto();
    useDreamStore.getState().setSetting('steps', 7);
    const done = useDreamStore.getState().start();
    await flush();
    client.runs[0]!.reject(new WorkerCrashedError('The Deep Dream worker stopped unexpectedly'));
    await done;
    const s = useDreamStore.getState();
    expect(s.status).toBe('error');
    expect(s.error).toMatch(/stopped unexpectedly.*photo and settings are kept/);
    expect(s.settings.steps).toBe(7);
    expect(s.photo?.name).toBe('cat.png');
    expect(getPhotoBitmap()).toBe(photo);
    void useDreamStore.getState().start();
    await flush();
    expect(client.run).toHaveBeenCalledTimes(2);
    expect(useDreamStore.getState()).toMatchObject({ status: 'running', error: null });
  });

  it('refuses to start without a photo unless dreaming from noise', async () => {
    const client = stubClient();
    setDreamClient(client);
    await useDreamStore.getState().start();
    expect(useDreamStore.getState().error).toMatch(/Choose a photo/);
    expect(client.run).not.toHaveBeenCalled();
    useDreamStore.getState().setSetting('fromNoise', true);
    useDreamStore.getState().setSetting('maxSide', 128);
    void useDreamStore.getState().start();
    await flush();
    expect(client.run).toHaveBeenCalledWith(
      expect.objectContaining({ width: 128, height: 128 }),
      expect.objectContaining({ fromNoise: true }),
      expect.anything(),
    );
    expect(useDreamStore.getState().canvas).toEqual({ width: 128, height: 128 });
  });

  it('a guide is sent with the run, refused with a single filter (nothing lost), replaced and cleared with its bitmap closed', async () => {
    const client = stubClient();
    setDreamClient(client);
    const photo = givePhoto();
    const guide = fakeBitmap(50, 40);
    useDreamStore.getState().setGuide({ bitmap: guide, width: 50, height: 40, originalWidth: 50, originalHeight: 40, isScaled: false }, 'stars.png');
    expect(useDreamStore.getState().guide).toEqual({ name: 'stars.png', width: 50, height: 40 });
    expect(getGuideBitmap()).toBe(guide);
    useDreamStore.getState().setSetting('filter', '12');
    await useDreamStore.getState().start();
    expect(useDreamStore.getState().error).toBe(GUIDE_WITH_FILTER_MESSAGE);
    expect(client.run).not.toHaveBeenCalled();
    expect(getGuideBitmap()).toBe(guide);
    expect(getPhotoBitmap()).toBe(photo);
    expect(useDreamStore.getState().settings.filter).toBe('12');
    useDreamStore.getState().setSetting('filter', '');
    const done = useDreamStore.getState().start();
    await flush();
    expect(client.run).toHaveBeenCalledWith(photo, expect.objectContaining({ channel: null }), expect.objectContaining({ guide }));
    client.runs[0]!.resolve({ jobId: 1, width: 80, height: 60, frames: 1, elapsedMs: 10, objective: 1 });
    await done;
    const other = fakeBitmap(30, 30);
    const version = useDreamStore.getState().guideVersion;
    useDreamStore.getState().setGuide({ bitmap: other, width: 30, height: 30, originalWidth: 30, originalHeight: 30, isScaled: false }, 'b.png');
    expect(guide.close).toHaveBeenCalled();
    expect(useDreamStore.getState().guideVersion).toBe(version + 1);
    useDreamStore.getState().clearGuide();
    expect(other.close).toHaveBeenCalled();
    expect(getGuideBitmap()).toBeNull();
    expect(useDreamStore.getState().guide).toBeNull();
    void useDreamStore.getState().start();
    await flush();
    expect(client.runs[1]!.options.guide).toBeNull();
  });

  it('a new photo replaces the old one (closing it) and ends a run on it', async () => {
    const client = stubClient();
    setDreamClient(client);
    const first = givePhoto();
    const done = useDreamStore.getState().start();
    await flush();
    const second = givePhoto(100, 50);
    await done;
    expect(first.close).toHaveBeenCalled();
    expect(getPhotoBitmap()).toBe(second);
    expect(useDreamStore.getState()).toMatchObject({ status: 'idle', canvas: { width: 100, height: 50 }, hasResult: false });
  });

  it('the backend sets the default max side (WASM 256, hardware GPU 512) unless the user chose one', async () => {
    const client = stubClient();
    setDreamClient(client);
    expect(useDreamStore.getState().settings.maxSide).toBe(DEFAULT_SETTINGS.maxSide);
    await useDreamStore.getState().prepare();
    expect(useDreamStore.getState().settings.maxSide).toBe(256);
    resetDreamStore();
    const gpu = stubClient();
    gpu.init = vi.fn(async () => ({ ...INFO, name: 'webgpu' as const, fallbackReason: null }));
    setDreamClient(gpu);
    await useDreamStore.getState().prepare();
    expect(useDreamStore.getState().settings.maxSide).toBe(512);
    resetDreamStore();
    setDreamClient(stubClient());
    useDreamStore.getState().setSetting('maxSide', 1024);
    await useDreamStore.getState().prepare();
    expect(useDreamStore.getState().settings.maxSide).toBe(1024);
    expect(useDreamStore.getState().isMaxSideChosen).toBe(true);
  });

  it('calibrates once per backend and layer from timed passes, and a finished dream corrects the estimate', async () => {
    const client = stubClient();
    const benchmarkGradient = vi.fn(async (photo: { width: number; height: number }, _p: DreamParams, runs: number) => ({
      width: photo.width,
      height: photo.height,
      passMs: new Array<number>(runs).fill(5 + 0.002 * photo.width * photo.height),
    }));
    setDreamClient({ ...client, benchmarkGradient });
    await useDreamStore.getState().prepare();
    // Before timing: WASM's typical cost.
    givePhoto(80, 60);
    expect(dreamEstimate(useDreamStore.getState())?.cost.source).toBe('typical');
    await useDreamStore.getState().calibrate();
    await useDreamStore.getState().calibrate();
    expect(benchmarkGradient).toHaveBeenCalledTimes(2);
    const cost = useDreamStore.getState().stepCosts[costKey('wasm', 'mixed3')]!;
    expect(cost.fixedMs).toBeCloseTo(5, 6);
    expect(cost.msPerPixel).toBeCloseTo(0.002, 9);
    useDreamStore.getState().setSetting('octaves', 1);
    useDreamStore.getState().setSetting('steps', 10);
    // One octave of 80×60 × 10 steps: 10·(5 + 0.002·4800) = 146 ms.
    expect(dreamEstimate(useDreamStore.getState())!.ms).toBeCloseTo(146, 6);
    const started = useDreamStore.getState().start();
    await flush();
    const run = (client.run as ReturnType<typeof vi.fn>).mock.calls.length ? client.runs[0]! : null;
    expect(run).not.toBeNull();
    run!.options.onFrame!(frame({ octave: 0, octaves: 1, step: 10, steps: 10, width: 80, height: 60 }));
    run!.resolve({ jobId: 1, width: 80, height: 60, frames: 1, elapsedMs: 292, objective: 1 });
    await started;
    const estimate = dreamEstimate(useDreamStore.getState())!;
    expect(estimate.cost.source).toBe('measured');
    expect(estimate.ms).toBeCloseTo(292, 6);
    // Another layer is timed afresh.
    useDreamStore.getState().setSetting('layer', 'mixed5');
    await useDreamStore.getState().calibrate();
    expect(benchmarkGradient).toHaveBeenCalledTimes(4);
  });
});
