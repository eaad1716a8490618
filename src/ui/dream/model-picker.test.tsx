import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DreamParams } from '../../engine/dream/params';
import { resetDreamStore, setDreamClient, useDreamStore } from '../../state/dream-store';
import { MNIST_SPEC, useModelsStore, type ModelSpec } from '../../state/models-store';
import type { DreamClient, DreamRunOptions } from '../../workers/dream-client';
import type { DreamModelChoice, DreamModelInfo, DreamResult } from '../../workers/dream-protocol';
import { DreamControls } from './dream-controls';

const USER: ModelSpec = {
  id: 'user-1', name: 'my_mobilenet', source: 'files', numClasses: 4, labels: null, weightBytes: 1000,
  input: { height: 32, width: 32, channels: 3, scaling: 'signed', resize: 'crop', isDynamic: false },
};
const BROKEN: ModelSpec = { ...USER, id: 'user-2', name: 'dense_only' };
const GREY: ModelSpec = { ...USER, id: 'user-3', name: 'mnist', input: { ...USER.input, height: 28, width: 28, channels: 1, scaling: 'unit' } };

const USER_INFO: DreamModelInfo = {
  layerNames: ['stem_relu', 'dw_relu', 'block_add'],
  layers: [
    { name: 'stem_relu', label: 'stem_conv → stem_relu', channels: 6, kind: 'conv' },
    { name: 'dw_relu', label: 'dw → dw_relu', channels: 12, kind: 'conv' },
    { name: 'block_add', label: 'block_add', channels: 6, kind: 'block' },
  ],
  minSide: 9,
};

function stubClient() {
  const runs: { params: DreamParams; options: DreamRunOptions }[] = [];
  const client = {
    runs,
    init: vi.fn(async () => ({ name: 'wasm' as const, requested: 'auto' as const, fallbackReason: null, adapter: null, isSoftwareGpu: false })),
    loadModel: vi.fn(async (_onProgress?: (f: number) => void, model?: DreamModelChoice): Promise<DreamModelInfo> => {
      if (!model) return { layerNames: ['mixed0'] };
      if (model.id === 'user-1' || model.id === 'user-3') return USER_INFO;
      const e = new Error('the model has no convolutional layer (or block) that works at any image size, so there is nothing to dream with');
      e.name = 'ModelLoadError';
      throw e;
    }),
    run: vi.fn((_photo: unknown, params: DreamParams, options: DreamRunOptions = {}) => {
      runs.push({ params, options });
      return Promise.resolve<DreamResult>({ jobId: 1, width: 8, height: 8, frames: 1, elapsedMs: 5, objective: 1 });
    }),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
  } satisfies DreamClient & Record<string, unknown>;
  setDreamClient(client);
  return client;
}

afterEach(() => {
  resetDreamStore();
  setDreamClient(null);
  useModelsStore.setState({ models: [MNIST_SPEC], selectedId: MNIST_SPEC.id, isHydrated: false });
});

const select = () => screen.getByTestId('dream-model-select') as HTMLSelectElement;
const layerOptions = () => within(screen.getByTestId('layer-select')).getAllByRole('option').map((o) => o.textContent);

describe('Dream with a user model', () => {
  it('lists the catalogue’s own models (not MNIST); picking one lists its layers with channel counts and the filter range follows', async () => {
    useModelsStore.setState({ models: [MNIST_SPEC, USER], isHydrated: true });
    const client = stubClient();
    render(<DreamControls />);
    expect(within(select()).getAllByRole('option').map((o) => o.textContent)).toEqual(['InceptionV3 (built in)', 'my_mobilenet']);
    expect(layerOptions()[0]).toMatch(/^mixed0 · /);
    fireEvent.change(select(), { target: { value: 'user-1' } });
    await waitFor(() => expect(layerOptions()).toEqual(['stem_conv → stem_relu · 6 filters', 'dw → dw_relu · 12 filters', 'block_add · 6 filters']));
    expect(client.loadModel).toHaveBeenLastCalledWith(expect.any(Function), { id: 'user-1', scaling: 'signed' });
    // Two thirds deep by default; the hints say what the model is.
    expect((screen.getByTestId('layer-select') as HTMLSelectElement).value).toBe('block_add');
    expect(screen.getByTestId('dream-model-hint')).toHaveTextContent('3 layers to dream with. Made for 32×32, it dreams at the photo’s own size.');
    fireEvent.change(screen.getByTestId('layer-select'), { target: { value: 'dw_relu' } });
    expect(screen.getByText(/one channel 0–11 \(12 in dw → dw_relu\)/)).toBeInTheDocument();
    fireEvent.change(screen.getByTestId('filter-input'), { target: { value: '12' } });
    expect(screen.getByText('This layer has 12 channels: enter a channel number from 0 to 11.')).toBeInTheDocument();
    fireEvent.change(screen.getByTestId('filter-input'), { target: { value: '11' } });

    // A dream (from noise: no photo needed) carries the model and the user layer's channel.
    act(() => useDreamStore.getState().setSetting('fromNoise', true));
    await act(() => useDreamStore.getState().start());
    expect(client.runs).toHaveLength(1);
    expect(client.runs[0]!.options.model).toEqual({ id: 'user-1', scaling: 'signed' });
    expect(client.runs[0]!.params.layers).toEqual([{ name: 'dw_relu', weight: 1 }]);
    expect(client.runs[0]!.params.channel).toBe(11);
    expect(useDreamStore.getState().status).toBe('done');
  });

  it('a model that cannot dream, or one removed from the catalogue, falls back to InceptionV3 with a notice', async () => {
    useModelsStore.setState({ models: [MNIST_SPEC, USER, BROKEN], isHydrated: true });
    stubClient();
    render(<DreamControls />);
    fireEvent.change(select(), { target: { value: 'user-2' } });
    await waitFor(() => expect(screen.getByTestId('dream-model-notice')).toHaveTextContent(
      '“dense_only” cannot dream: the model has no convolutional layer (or block) that works at any image size, so there is nothing to dream with. Dream is back on InceptionV3.',
    ));
    expect(select().value).toBe('inception');
    expect(layerOptions()[3]).toMatch(/^mixed3 · /);

    fireEvent.change(select(), { target: { value: 'user-1' } });
    await waitFor(() => expect(layerOptions()).toHaveLength(3));
    expect(screen.queryByTestId('dream-model-notice')).toBeNull();
    act(() => useModelsStore.setState({ models: [MNIST_SPEC, BROKEN] }));
    await waitFor(() => expect(screen.getByTestId('dream-model-notice')).toHaveTextContent('“my_mobilenet” was removed from your models. Dream is back on InceptionV3.'));
    expect(select().value).toBe('inception');
    expect(useDreamStore.getState().settings.layer).toBe('mixed3');
  });

  it('a grey model says how it sees a colour photo', async () => {
    useModelsStore.setState({ models: [MNIST_SPEC, GREY], isHydrated: true });
    stubClient();
    render(<DreamControls />);
    fireEvent.change(select(), { target: { value: 'user-3' } });
    await waitFor(() => expect(screen.getByTestId('dream-model-hint')).toHaveTextContent(
      '3 layers to dream with. Made for 28×28, it dreams at the photo’s own size. A grey model: it sees the photo’s brightness and adds grey detail.',
    ));
  });

  it('a restored session’s user model and layer come back once the catalogue is read', async () => {
    stubClient();
    act(() => useDreamStore.setState((s) => ({ settings: { ...s.settings, modelId: 'user-1', layer: 'dw_relu', filter: '4' } })));
    render(<DreamControls />);
    act(() => useModelsStore.setState({ models: [MNIST_SPEC, USER], isHydrated: true }));
    await waitFor(() => expect(layerOptions()).toHaveLength(3));
    expect(select().value).toBe('user-1');
    expect(useDreamStore.getState().settings).toMatchObject({ layer: 'dw_relu', filter: '4' });
  });
});
