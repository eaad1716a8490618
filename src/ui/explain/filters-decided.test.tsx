import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetExplainStore, setExplainClient, useExplainStore } from '../../state/explain-store';
import { resetFiltersStore } from '../../state/filters-store';
import type { FiltersParams, FiltersResult, HiddenLayerInfo } from '../../workers/explain-protocol';
import { fakeExplainClient, type FakeExplainClient } from './explain-test-utils';
import { FiltersDecided } from './filters-decided';

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
