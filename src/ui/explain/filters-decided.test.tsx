import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetExplainStore, setExplainClient, useExplainStore } from '../../state/explain-store';
import { resetFiltersStore } from '../../state/filters-store';
import { MNIST_SPEC, useModelsStore, type ModelSpec } from '../../state/models-store';
import { DEFAULT_PHOTO_SETTINGS, usePhotoExplainStore } from '../../state/photo-explain-store';
import type { FiltersParams, FiltersResult, HiddenLayerInfo, PhotoExplainResult, PhotoFiltersParams } from '../../workers/explain-protocol';
import { fakeExplainClient, type FakeExplainClient } from './explain-test-utils';
import { FiltersDecided, PhotoFiltersDecided } from './filters-decided';

const LAYERS: HiddenLayerInfo[] = [
  { name: 'conv1', className: 'Conv2D', shape: [13, 13, 32], isCut: true },
  { name: 'conv2', className: 'Conv2D', shape: [5, 5, 4], isCut: true },
];

/** Scores with channel c contributing `values[c]`; Δt = Σ values (the layer is a cut). */
function scores(params: FiltersParams, values: number[]): FiltersResult {
  const order = values.map((_, c) => c).sort((a, b) => values[b]! - values[a]!);
  const top = order.slice(0, Math.min(params.topChannels, values.length));
  return {
    layer: params.layer, layerShape: [5, 5, values.length], isCut: true,
    channelContributions: Float32Array.from(values), order, topChannels: top,
    topInputMaps: top.map((c) => new Float32Array(784).fill(values[c]! / 784)),
    target: params.target ?? 7, contrast: params.contrast, delta: values.reduce((a, b) => a + b, 0), sum: values.reduce((a, b) => a + b, 0),
  };
}

describe('FiltersDecided', () => {
  let fake: FakeExplainClient;
  let requests: FiltersParams[];
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    requests = [];
    fake = {
      ...fakeExplainClient(7),
      layers: async () => LAYERS,
      filters: async (_pixels, params) => {
        requests.push(params);
        return scores(params, params.layer === 'conv2' ? [0.5, -0.25, 2, 1] : Array.from({ length: 32 }, (_, c) => (c - 10) / 10));
      },
    };
    setExplainClient(fake);
  });
  afterEach(() => {
    cleanup();
    resetExplainStore();
    resetFiltersStore();
    setExplainClient(null);
    vi.restoreAllMocks();
  });

  const draw = async () => {
    await act(async () => {
      useExplainStore.setState({ pixels: new Float32Array(784).fill(0.5) });
      await useExplainStore.getState().explainNow();
    });
  };

  it('asks for a drawing first, then scores the last conv layer for the explained class: bars largest first, Σ = Δt', async () => {
    render(<FiltersDecided />);
    expect(screen.getByText(/draw a digit to see which hidden filters/i)).toBeInTheDocument();
    await draw();
    const bars = await screen.findByTestId('filters-bars');
    expect(requests.at(-1)).toMatchObject({ layer: 'conv2', target: 7, contrast: null, rule: 'rescale', topChannels: 4 });
    const items = within(bars).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('aria-label'))).toEqual(['filter 2: +2.000', 'filter 3: +1.000', 'filter 0: +0.500', 'filter 1: -0.250']);
    expect(screen.getByTestId('filters-sum-readout')).toHaveTextContent('Σ C = 3.2500 · Δt = 3.2500');
    expect(screen.getAllByTestId('filter-map').map((m) => m.getAttribute('aria-label'))).toEqual([
      'filter 2: C = 2.000', 'filter 3: C = 1.000', 'filter 0: C = 0.500', 'filter 1: C = -0.250',
    ]);
    expect(screen.getByRole('combobox', { name: /hidden layer/i })).toHaveValue('conv2');
  });

  it('rescores when the user picks another layer, and follows a new explained class', async () => {
    const user = userEvent.setup();
    render(<FiltersDecided />);
    await draw();
    await screen.findByTestId('filters-bars');
    await user.selectOptions(screen.getByTestId('filters-layer-select'), 'conv1');
    await waitFor(() => expect(within(screen.getByTestId('filters-bars')).getAllByRole('listitem')).toHaveLength(32));
    expect(requests.at(-1)?.layer).toBe('conv1');
    await act(async () => {
      useExplainStore.getState().updateSettings({ target: 3, contrast: 5, rule: 'revealcancel' });
      await new Promise((r) => setTimeout(r, 0));
    });
    await waitFor(() => expect(requests.at(-1)).toMatchObject({ layer: 'conv1', target: 3, contrast: 5, rule: 'revealcancel' }));
  });

  it('shows a worker failure as an alert and keeps the last scores', async () => {
    render(<FiltersDecided />);
    await draw();
    await screen.findByTestId('filters-bars');
    fake.filters = async () => {
      throw Object.assign(new Error('The model has no convolutional layer named "x"'), { name: 'BadRequestError' });
    };
    await act(async () => {
      useExplainStore.getState().updateSettings({ target: 1 });
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(/no convolutional layer/);
    expect(screen.getByTestId('filters-bars')).toBeInTheDocument();
  });
});

describe('PhotoFiltersDecided (a selected photo model)', () => {
  const SPEC: ModelSpec = {
    id: 'user-dag', name: 'tiny dag', source: 'files',
    input: { height: 4, width: 6, channels: 3, scaling: 'unit', resize: 'crop', isDynamic: true },
    labels: ['acorn', 'bison', 'canoe'], numClasses: 3, weightBytes: 1000,
  };
  const PHOTO_LAYERS: HiddenLayerInfo[] = [
    { name: 'stem_conv', className: 'Conv2D', shape: [2, 3, 3], isCut: true },
    { name: 'depthwise', className: 'DepthwiseConv2D', shape: [2, 3, 2], isCut: false },
    { name: 'head_conv', className: 'Conv2D', shape: [2, 3, 3], isCut: true },
  ];
  const photo = { rgba: new Uint8ClampedArray(8 * 4 * 4).fill(128), width: 8, height: 4 };
  let photoRequests: { modelId: string; params: PhotoFiltersParams }[];
  let layerRequests: string[];

  const photoResult = (height: number, width: number): PhotoExplainResult => ({
    modelId: SPEC.id, height, width, attributions: new Float32Array(height * width), seen: new Uint8ClampedArray(height * width * 4),
    target: 1, contrast: null, predicted: 1, top: [{ index: 1, probability: 0.7 }], delta: 1.5, sum: 1.5,
  });

  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    photoRequests = [];
    layerRequests = [];
    setExplainClient({
      ...fakeExplainClient(1),
      photoLayers: async (modelId, input) => {
        layerRequests.push(`${modelId}@${input.height}x${input.width}`);
        return PHOTO_LAYERS;
      },
      photoFilters: async (modelId, _photo, params) => {
        photoRequests.push({ modelId, params });
        const values = params.layer === 'depthwise' ? [0.25, -0.5] : [0.5, 1.5, -0.5];
        const r = scores({ ...params, modelId, reference: 'black' } as unknown as FiltersParams, values);
        const { height, width } = params.input;
        return {
          ...r, modelId, height, width, isCut: params.layer !== 'depthwise', delta: 1.5,
          topInputMaps: r.topChannels.map((c) => new Float32Array(height * width).fill(values[c]! / (height * width))),
        };
      },
    });
    useModelsStore.setState({ models: [MNIST_SPEC, SPEC], selectedId: SPEC.id });
  });
  afterEach(() => {
    cleanup();
    resetFiltersStore();
    setExplainClient(null);
    vi.restoreAllMocks();
    useModelsStore.setState({ models: [MNIST_SPEC], selectedId: MNIST_SPEC.id });
    usePhotoExplainStore.setState({ settings: DEFAULT_PHOTO_SETTINGS, photo: null, result: null });
  });

  it('lists the photo model\'s conv layers, scores the photo\'s explained class, says when a layer is not a cut, follows a new size', async () => {
    const user = userEvent.setup();
    render(<PhotoFiltersDecided />);
    expect(screen.getByText(/choose a photo to see which hidden filters/i)).toBeInTheDocument();
    act(() => usePhotoExplainStore.setState({ photo, result: photoResult(4, 6), settings: { ...DEFAULT_PHOTO_SETTINGS, reference: 'blurred' } }));
    const bars = await screen.findByTestId('filters-bars');
    expect(layerRequests).toEqual(['user-dag@4x6']);
    expect(within(screen.getByTestId('filters-layer-select')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'stem_conv (3 filters, 2×3)', 'depthwise (2 filters, 2×3)', 'head_conv (3 filters, 2×3)',
    ]);
    expect(photoRequests.at(-1)).toMatchObject({ modelId: 'user-dag', params: { layer: 'head_conv', target: 1, contrast: null, reference: 'blurred', topChannels: 4, input: { height: 4, width: 6 } } });
    expect(within(bars).getAllByRole('listitem').map((li) => li.getAttribute('aria-label'))).toEqual(['filter 1: +1.500', 'filter 0: +0.500', 'filter 2: -0.500']);
    expect(screen.getByTestId('filters-sum-readout')).toHaveTextContent('Σ C = 1.5000 · Δt = 1.5000');
    expect(screen.getByText(/contributions to bison; every path to the output passes this layer/)).toBeInTheDocument();
    // The maps are of the model's input size.
    const map = screen.getAllByTestId('filter-map')[0]!.querySelector('canvas')!;
    expect([map.height, map.width]).toEqual([4, 6]);

    await user.selectOptions(screen.getByTestId('filters-layer-select'), 'depthwise');
    await waitFor(() => expect(screen.getByTestId('filters-sum-readout')).toHaveTextContent('Σ C = -0.2500 · Δt = 1.5000'));
    expect(screen.getByText(/other paths bypass this layer, so they carry only part of Δt/)).toBeInTheDocument();

    // A new input size: the layers are asked again at that size, and the layer stays chosen.
    act(() => {
      useModelsStore.setState({ models: [MNIST_SPEC, { ...SPEC, input: { ...SPEC.input, height: 8 } }] });
      usePhotoExplainStore.setState({ result: photoResult(8, 6) });
    });
    await waitFor(() => expect(photoRequests.at(-1)?.params.input.height).toBe(8));
    expect(layerRequests).toEqual(['user-dag@4x6', 'user-dag@8x6']);
    expect(photoRequests.at(-1)?.params.layer).toBe('depthwise');
    await waitFor(() => expect(screen.getAllByTestId('filter-map')[0]!.querySelector('canvas')!.height).toBe(8));
  });
});
