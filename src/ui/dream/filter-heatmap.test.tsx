import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FilterHeatmapParams } from '../../engine/dream/filter-heatmap';
import { resetDreamStore, setDreamClient, useDreamStore } from '../../state/dream-store';
import { resetHeatmapStore } from '../../state/heatmap-store';
import type { DreamClient } from '../../workers/dream-client';
import { FilterHeatmapView, robustScale } from './filter-heatmap';

const bitmap = (width: number, height: number) => ({ width, height, close: vi.fn() }) as unknown as ImageBitmap;

function stubClient(fail = false) {
  const requests: FilterHeatmapParams[] = [];
  const client = {
    init: vi.fn(async () => ({ name: 'wasm' as const, requested: 'auto' as const, fallbackReason: null, adapter: null, isSoftwareGpu: false })),
    loadModel: vi.fn(async () => ({ layerNames: [] })),
    run: vi.fn(),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
    filterHeatmap: vi.fn(async (_photo: unknown, params: FilterHeatmapParams) => {
      requests.push(params);
      if (fail) throw Object.assign(new Error('channel 900 is not in [0, 768) for layer mixed4'), { name: 'RangeError' });
      const map = new Float32Array(8 * 6);
      map[5] = 0.75;
      map[9] = -0.25;
      return { width: 8, height: 6, map, sum: 0.5, delta: 0.50001, value: 1.2, referenceValue: 0.7 };
    }),
  } satisfies DreamClient;
  setDreamClient(client as unknown as DreamClient);
  return { client, requests };
}

beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});
afterEach(() => {
  cleanup();
  resetHeatmapStore();
  resetDreamStore();
  setDreamClient(null);
  vi.restoreAllMocks();
});

const withPhoto = () =>
  act(() => {
    useDreamStore.getState().setPhoto({ bitmap: bitmap(64, 48), width: 64, height: 48, originalWidth: 64, originalHeight: 48, isScaled: false }, { file: new Blob(), name: 'cat.png' });
  });

describe('FilterHeatmapView', () => {
  it('needs a photo, then computes the chosen filter against the blurred photo and shows Σ C vs Δt', async () => {
    const user = userEvent.setup();
    const { requests } = stubClient();
    render(<FilterHeatmapView />);
    expect(screen.getByTestId('filter-heatmap-run')).toBeDisabled();
    withPhoto();
    act(() => {
      useDreamStore.getState().setSetting('layer', 'mixed3');
      useDreamStore.getState().setSetting('filter', '17');
    });
    await user.click(screen.getByRole('button', { name: 'Show where filter 17 of mixed3 fires' }));
    expect(await screen.findByTestId('filter-heatmap')).toHaveAccessibleName(/filter 17 of mixed3 fires/);
    expect(requests).toEqual([{ layer: 'mixed3', channel: 17, reference: 'blurred', rule: 'rescale' }]);
    expect(screen.getByTestId('filter-heatmap-readout')).toHaveTextContent('Σ C = 0.5000 · Δt = 0.5000');
    expect(screen.getByText(/t\(blurred photo\)/)).toBeInTheDocument();
  });

  it('offers black as the reference and the whole layer when no filter is given; a new photo hides the stale map', async () => {
    const user = userEvent.setup();
    const { requests } = stubClient();
    render(<FilterHeatmapView />);
    withPhoto();
    act(() => useDreamStore.getState().setSetting('filter', ''));
    await user.selectOptions(screen.getByTestId('filter-heatmap-reference'), 'black');
    await user.click(screen.getByTestId('filter-heatmap-run'));
    await screen.findByTestId('filter-heatmap');
    expect(requests.at(-1)).toMatchObject({ channel: null, reference: 'black' });
    withPhoto();
    expect(screen.queryByTestId('filter-heatmap')).toBeNull();
  });

  it('shows a failure as an alert', async () => {
    const user = userEvent.setup();
    stubClient(true);
    render(<FilterHeatmapView />);
    withPhoto();
    await user.click(screen.getByTestId('filter-heatmap-run'));
    expect(await screen.findByRole('alert')).toHaveTextContent(/heatmap could not be computed: channel 900/);
  });
});

describe('robustScale', () => {
  it('is the 99.5th percentile of |C|, or max|C| when most values are zero', () => {
    const map = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1));
    map[999] = 1e6;
    expect(robustScale(map)).toBe(996);
    const sparse = new Float32Array(100);
    sparse[3] = -0.5;
    expect(robustScale(sparse)).toBe(0.5);
    expect(robustScale(new Float32Array(0))).toBe(0);
  });
});
