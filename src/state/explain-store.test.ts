import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendInfo, BackendPreference } from '../engine/backend';
import type { ExplainClient, ExplainRunOptions } from '../workers/explain-client';
import type { ExplainParams, ExplainResult } from '../workers/explain-protocol';
import { WorkerCrashedError } from '../workers/worker-handle';
import { EXPLAIN_DEBOUNCE_MS, resetExplainStore, setExplainClient, useExplainStore } from './explain-store';
import { useRuntimeStore } from './runtime-store';

const CPU: BackendInfo = { name: 'cpu', requested: 'auto', fallbackReason: null, adapter: null, isSoftwareGpu: false };

interface Call {
  pixels: Float32Array;
  params: ExplainParams;
  options: ExplainRunOptions;
  resolve: (r: ExplainResult) => void;
  reject: (e: unknown) => void;
}

function result(target: number, sum = 1.5): ExplainResult {
  const probabilities = Array.from({ length: 10 }, (_, i) => (i === target ? 0.91 : 0.01));
  return {
    attributions: new Float32Array(784),
    target,
    contrast: null,
    predicted: target,
    delta: sum,
    sum,
    logits: probabilities.map((p) => Math.log(p)),
    probabilities,
    referenceLogits: new Array(10).fill(0),
    referenceProbabilities: new Array(10).fill(0.1),
    classMaps: Array.from({ length: 10 }, () => new Float32Array(784)),
    classDeltas: new Array(10).fill(0),
    reference01: new Float32Array(784),
  };
}

/** A stub client whose calls the test settles by hand. */
function fakeClient() {
  const calls: Call[] = [];
  const crashListeners = new Set<(e: WorkerCrashedError) => void>();
  const inits: BackendPreference[] = [];
  const client: ExplainClient = {
    init: async (preference) => {
      inits.push(preference);
      return { ...CPU, requested: preference };
    },
    explain: (pixels, params, options = {}) =>
      new Promise<ExplainResult>((resolve, reject) => {
        calls.push({ pixels, params, options, resolve, reject });
        options.signal?.addEventListener('abort', () => {
          const e = new Error('aborted');
          e.name = 'AbortError';
          reject(e);
        });
      }),
    onCrash: (listener) => {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    },
    terminate: () => undefined,
  };
  return { client, calls, inits, crash: (m: string) => crashListeners.forEach((l) => l(new WorkerCrashedError(m))) };
}

const drawing = (v: number) => new Float32Array(784).fill(v);
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('explain store', () => {
  let fake: ReturnType<typeof fakeClient>;
  beforeEach(() => {
    vi.useFakeTimers();
    fake = fakeClient();
    setExplainClient(fake.client);
  });
  afterEach(() => {
    resetExplainStore();
    setExplainClient(null);
    useRuntimeStore.setState({ backends: {}, preference: 'auto' });
    vi.useRealTimers();
  });

  it('throttles drawing: one request per window with the latest pixels, then the result', async () => {
    const { setPixels } = useExplainStore.getState();
    setPixels(drawing(0.1));
    setPixels(drawing(0.2));
    setPixels(drawing(0.3));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS - 10);
    expect(fake.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.pixels[0]).toBeCloseTo(0.3);
    expect(useExplainStore.getState().status).toBe('running');
    fake.calls[0]!.resolve(result(7));
    await flush();
    expect(useExplainStore.getState().result?.predicted).toBe(7);
    expect(useExplainStore.getState().status).toBe('idle');
    expect(useRuntimeStore.getState().backends.explain?.name).toBe('cpu');
  });

  it('latest request wins: a newer one aborts the stale one, whose late answer is ignored', async () => {
    const { setPixels, updateSettings } = useExplainStore.getState();
    setPixels(drawing(0.5));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    updateSettings({ rule: 'revealcancel' });
    await flush();
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[0]!.options.signal?.aborted).toBe(true);
    expect(fake.calls[1]!.options.signal?.aborted).toBe(false);
    fake.calls[0]!.resolve(result(1));
    fake.calls[1]!.resolve(result(4));
    await flush();
    expect(useExplainStore.getState().result?.target).toBe(4);
    expect(useExplainStore.getState().error).toBeNull();
  });

  it('sends one request at a time: newer pixels wait, the running one is shown, then the latest', async () => {
    const { setPixels } = useExplainStore.getState();
    setPixels(drawing(0.1));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    expect(fake.calls).toHaveLength(1);
    setPixels(drawing(0.2));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    setPixels(drawing(0.3));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    // Still one in the worker; the stroke in progress did not cancel it.
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.options.signal?.aborted).toBe(false);
    fake.calls[0]!.resolve(result(1));
    await flush();
    expect(useExplainStore.getState().result?.predicted).toBe(1);
    expect(useExplainStore.getState().resultInput?.[0]).toBeCloseTo(0.1);
    // Only the newest waiting pixels are sent.
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[1]!.pixels[0]).toBeCloseTo(0.3);
    expect(useExplainStore.getState().status).toBe('running');
    fake.calls[1]!.resolve(result(7));
    await flush();
    expect(useExplainStore.getState().result?.predicted).toBe(7);
    expect(useExplainStore.getState().status).toBe('idle');
  });

  it('turns settings into request params (rule, target, contrast, softmax, references)', async () => {
    const s = useExplainStore.getState();
    s.setPixels(drawing(0.4));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    s.updateSettings({ rule: 'revealcancel', target: 8, contrast: 3, softmaxNormalize: true, reference: 'grey' });
    await flush();
    expect(fake.calls.at(-1)!.params).toEqual({
      rule: 'revealcancel',
      target: 8,
      contrast: 3,
      softmaxNormalize: true,
      reference: { kind: 'grey', value: 0.5 },
    });
    s.updateSettings({ reference: 'blurred' });
    await flush();
    expect(fake.calls.at(-1)!.params.reference).toEqual({ kind: 'blurred', sigma: 3 });
    // A contrast equal to the target explains nothing: it is dropped.
    s.updateSettings({ contrast: 8 });
    await flush();
    expect(fake.calls.at(-1)!.params.contrast).toBeNull();
    expect(useExplainStore.getState().settings.contrast).toBeNull();
    // Changing only the view does not recompute.
    const before = fake.calls.length;
    s.updateSettings({ view: 'side' });
    await flush();
    expect(fake.calls).toHaveLength(before);
  });

  it('captures the current drawing as the reference', async () => {
    const s = useExplainStore.getState();
    s.captureReference();
    expect(useExplainStore.getState().error).toMatch(/Draw something first/);
    s.setPixels(drawing(0.25));
    s.captureReference();
    await flush();
    const params = fake.calls.at(-1)!.params;
    expect(params.reference.kind).toBe('custom');
    expect(params.reference.kind === 'custom' && params.reference.pixels01[5]).toBeCloseTo(0.25);
    expect(useExplainStore.getState().settings.reference).toBe('custom');
  });

  it('keeps the drawing and the last result when the worker crashes, and says so', async () => {
    const s = useExplainStore.getState();
    s.setPixels(drawing(0.6));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    fake.calls[0]!.resolve(result(2));
    await flush();
    s.updateSettings({ target: 5 });
    await flush();
    fake.crash('The explain worker stopped unexpectedly');
    fake.calls[1]!.reject(new WorkerCrashedError('The explain worker stopped unexpectedly'));
    await flush();
    const state = useExplainStore.getState();
    expect(state.error).toMatch(/stopped unexpectedly.*drawing is kept/);
    expect(state.pixels?.[0]).toBeCloseTo(0.6);
    expect(state.result?.target).toBe(2);
    expect(state.status).toBe('idle');
    // The next change tries again (the real client starts a fresh worker).
    s.updateSettings({ target: 6 });
    await flush();
    fake.calls[2]!.resolve(result(6));
    await flush();
    expect(useExplainStore.getState().error).toBeNull();
    expect(useExplainStore.getState().result?.target).toBe(6);
  });

  it('shows named errors as they are and clears everything on clear', async () => {
    const s = useExplainStore.getState();
    s.setPixels(drawing(0.6));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    const e = new Error('The digit model could not be loaded: HTTP 404');
    e.name = 'ModelLoadError';
    fake.calls[0]!.reject(e);
    await flush();
    expect(useExplainStore.getState().error).toBe('The digit model could not be loaded: HTTP 404');
    s.setPixels(drawing(0.7));
    s.clearInput();
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS * 2);
    expect(fake.calls).toHaveLength(1);
    expect(useExplainStore.getState()).toMatchObject({ pixels: null, result: null, error: null, status: 'idle' });
  });

  it('a late result does not hide a message about a bad file; new ink does', async () => {
    const { setPixels, showError } = useExplainStore.getState();
    setPixels(drawing(0.4));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    showError('The file is empty (0 bytes).');
    fake.calls[0]!.resolve(result(3));
    await flush();
    expect(useExplainStore.getState().result?.predicted).toBe(3);
    expect(useExplainStore.getState().error).toBe('The file is empty (0 bytes).');
    setPixels(drawing(0.6));
    expect(useExplainStore.getState().error).toBeNull();
  });

  it('a result clears an error about the computation', async () => {
    const { setPixels } = useExplainStore.getState();
    setPixels(drawing(0.4));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    fake.calls[0]!.reject(Object.assign(new Error('out of memory'), { name: 'ModelLoadError' }));
    await flush();
    expect(useExplainStore.getState().error).not.toBeNull();
    setPixels(drawing(0.5));
    await vi.advanceTimersByTimeAsync(EXPLAIN_DEBOUNCE_MS);
    fake.calls[1]!.resolve(result(2));
    await flush();
    expect(useExplainStore.getState().error).toBeNull();
  });

  it('warms up on the preferred backend and reports it', async () => {
    useRuntimeStore.setState({ preference: 'wasm' });
    await useExplainStore.getState().warmUp();
    expect(fake.inits).toEqual(['wasm']);
    expect(useRuntimeStore.getState().backends.explain?.requested).toBe('wasm');
  });
});
