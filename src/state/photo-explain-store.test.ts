import { afterEach, describe, expect, it } from 'vitest';
import type { ExplainClient, ExplainRunOptions } from '../workers/explain-client';
import type { PhotoExplainParams, PhotoExplainResult } from '../workers/explain-protocol';
import { DeviceLostError } from '../workers/device-lost';
import { abortError, WorkerCrashedError } from '../workers/worker-handle';
import { describeError, resetExplainStore, setExplainClient, useExplainStore } from './explain-store';
import { MNIST_SPEC, useModelsStore, type ModelSpec } from './models-store';
import { usePhotoExplainStore } from './photo-explain-store';

const SPEC: ModelSpec = {
  id: 'user-1',
  name: 'tiny',
  source: 'files',
  input: { height: 2, width: 2, channels: 3, scaling: 'unit', resize: 'crop', isDynamic: false },
  labels: null,
  numClasses: 6,
  weightBytes: 100,
};

interface Call {
  modelId: string;
  params: PhotoExplainParams;
  options: ExplainRunOptions;
  resolve: (r: PhotoExplainResult) => void;
}

/** A client whose photo requests wait until the test answers them; an abort rejects at once, as the real one does. */
function pendingClient(calls: Call[]): ExplainClient {
  return {
    init: async () => ({ name: 'cpu', requested: 'auto', fallbackReason: null, adapter: null, isSoftwareGpu: false }),
    explain: async () => {
      throw new Error('not used');
    },
    explainPhoto: (modelId, _photo, params, options = {}) =>
      new Promise((resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(abortError('aborted')));
        calls.push({ modelId, params, options, resolve });
      }),
    onCrash: () => () => undefined,
    terminate: () => undefined,
  };
}

const result = (target: number): PhotoExplainResult => ({
  modelId: SPEC.id, height: 2, width: 2, attributions: new Float32Array(4), seen: new Uint8ClampedArray(16),
  target, contrast: null, predicted: target, top: [{ index: target, probability: 0.9 }], delta: 1, sum: 1,
});

const photo = (v: number) => ({ rgba: new Uint8ClampedArray(16).fill(v), width: 2, height: 2 });
const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  setExplainClient(null);
  resetExplainStore();
  useModelsStore.setState({ models: [MNIST_SPEC], selectedId: MNIST_SPEC.id });
  usePhotoExplainStore.setState({ photo: null, result: null, status: 'idle' });
});

describe('photo explanations', () => {
  it('a new photo or setting aborts the stale run; only the latest result is shown; the model’s input settings go with it', async () => {
    const calls: Call[] = [];
    setExplainClient(pendingClient(calls));
    useModelsStore.setState({ models: [MNIST_SPEC, SPEC], selectedId: SPEC.id });
    const store = usePhotoExplainStore.getState();
    store.setPhoto(photo(10));
    await flush();
    store.setPhoto(photo(200));
    await flush();
    store.updateSettings({ target: 3, reference: 'grey' });
    await flush();
    expect(calls).toHaveLength(3);
    expect(calls[0]!.options.signal!.aborted).toBe(true);
    expect(calls[1]!.options.signal!.aborted).toBe(true);
    expect(calls[2]!.options.signal!.aborted).toBe(false);
    expect(calls[2]!.modelId).toBe('user-1');
    expect(calls[2]!.params).toMatchObject({ input: SPEC.input, target: 3, reference: 'grey', rule: 'rescale' });
    calls[0]!.resolve(result(1)); // a stale answer that arrives anyway is ignored
    calls[2]!.resolve(result(3));
    await flush();
    expect(usePhotoExplainStore.getState().result?.target).toBe(3);
    expect(usePhotoExplainStore.getState().status).toBe('idle');
    expect(useExplainStore.getState().error).toBeNull();
  });

  it('changing the model’s input settings reruns; switching model clears the class choice; MNIST sends nothing', async () => {
    const calls: Call[] = [];
    setExplainClient(pendingClient(calls));
    useModelsStore.setState({ models: [MNIST_SPEC, SPEC], selectedId: SPEC.id });
    usePhotoExplainStore.getState().updateSettings({ target: 4 });
    usePhotoExplainStore.getState().setPhoto(photo(50));
    await flush();
    const before = calls.length;
    useModelsStore.getState().updateInput(SPEC.id, { scaling: 'imagenet' });
    await flush();
    expect(calls.length).toBe(before + 1);
    expect(calls.at(-1)!.params.input.scaling).toBe('imagenet');
    useModelsStore.getState().select(MNIST_SPEC.id);
    await flush();
    expect(calls.length).toBe(before + 1);
    expect(calls.at(-1)!.options.signal!.aborted).toBe(true);
    expect(usePhotoExplainStore.getState().settings.target).toBeNull();
  });
});

describe('a worker failure says what is kept in each mode', () => {
  it('digits: the drawing; a photo model: the photo, its explanation and the model; the photo and result stay', async () => {
    const calls: Call[] = [];
    let crash: ((e: WorkerCrashedError) => void) | null = null;
    setExplainClient({ ...pendingClient(calls), onCrash: (listener) => { crash = listener; return () => undefined; } });
    const crashNow = () => crash!(new WorkerCrashedError('The explain worker stopped unexpectedly'));

    crashNow();
    expect(useExplainStore.getState().error).toBe('The explain worker stopped unexpectedly. Your drawing is kept; the next change starts a fresh worker.');

    useModelsStore.setState({ models: [MNIST_SPEC, SPEC], selectedId: SPEC.id });
    crashNow();
    expect(useExplainStore.getState().error).toBe('The explain worker stopped unexpectedly. The model tiny and its input settings are kept; the next change starts a fresh worker.');

    usePhotoExplainStore.getState().setPhoto(photo(90));
    await flush();
    calls.at(-1)!.resolve(result(4));
    await flush();
    crashNow();
    const error = useExplainStore.getState().error!;
    expect(error).toBe('The explain worker stopped unexpectedly. Your photo, its last explanation and the model tiny with its input settings are kept; the next change starts a fresh worker.');
    expect(error).not.toMatch(/drawing/);
    expect(usePhotoExplainStore.getState().photo?.rgba[0]).toBe(90);
    expect(usePhotoExplainStore.getState().result?.target).toBe(4);
    expect(describeError(new DeviceLostError('The GPU device was lost'))).toBe(
      'The GPU device was lost. Switching to the next backend; your photo, its last explanation and the model tiny with its input settings are kept.',
    );
  });
});
