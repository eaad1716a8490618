import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VisualizeParams } from '../../engine/visualize/params';
import { resetDreamStore, useDreamStore } from '../../state/dream-store';
import { resetGalleryStore, useGalleryStore } from '../../state/gallery-store';
import type { DreamClient } from '../../workers/dream-client';
import type { VisualizeResult } from '../../workers/dream-protocol';
import { abortError } from '../../workers/worker-handle';
import { FilterGallery, GALLERY_COLUMNS, GALLERY_PAGE } from './filter-gallery';

interface Job {
  params: VisualizeParams;
  signal?: AbortSignal;
  resolve: () => void;
}

/** A stand-in client whose thumbnails finish when the test says so. */
function stubClient() {
  const jobs: Job[] = [];
  const client = {
    jobs,
    init: vi.fn(async () => ({ name: 'wasm' as const, requested: 'auto' as const, fallbackReason: null, adapter: null, isSoftwareGpu: false })),
    loadModel: vi.fn(async () => ({ layerNames: [] })),
    run: vi.fn(),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
    excites: vi.fn(async (_photo: unknown, layer: string, top: number) =>
      Array.from({ length: top }, (_, i) => ({ channel: layer === 'mixed0' ? 200 + i : i, ratio: 20 - i }))),
    visualize: vi.fn((params: VisualizeParams, options: { signal?: AbortSignal; onProgress?: (s: number, n: number) => void } = {}) =>
      new Promise<VisualizeResult>((resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(abortError()));
        jobs.push({
          params,
          signal: options.signal,
          resolve: () => resolve({ jobId: 1, width: 2, height: 2, pixels: new Uint8ClampedArray(16).fill(params.channel), objective: 1, elapsedMs: 1 }),
        });
        options.onProgress?.(1, 2);
      })),
  };
  resetGalleryStore({ client: client as unknown as DreamClient });
  return client;
}

const flush = () => act(async () => { await new Promise((r) => setTimeout(r, 0)); });

describe('FilterGallery', () => {
  beforeEach(() => {
    resetDreamStore();
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
  });
  afterEach(() => {
    resetGalleryStore();
    vi.restoreAllMocks();
  });

  it('lists every filter of the layer and computes visible ones in order, one at a time, with progress', async () => {
    const client = stubClient();
    useDreamStore.getState().setSetting('layer', 'mixed0');
    render(<FilterGallery />);
    // A page of cells is rendered; each says where it stands among the layer's 256.
    expect(screen.getByRole('listbox', { name: 'Filters of mixed0' }).children).toHaveLength(GALLERY_PAGE);
    expect(screen.getByTestId('filter-thumb-3')).toHaveAttribute('aria-setsize', '256');
    expect(screen.getByTestId('filter-thumb-3')).toHaveAttribute('aria-posinset', '4');
    await waitFor(() => expect(client.jobs).toHaveLength(1));
    expect(client.jobs[0].params).toMatchObject({ layer: 'mixed0', channel: 0 });
    expect(screen.getByTestId('gallery-progress')).toHaveAttribute('value', '0.5');
    expect(screen.getByTestId('gallery-status')).toHaveTextContent('drawing filter 0');
    await act(async () => client.jobs[0].resolve());
    await waitFor(() => expect(screen.getByTestId('filter-thumb-0')).toHaveAttribute('data-ready', 'true'));
    await waitFor(() => expect(client.jobs).toHaveLength(2));
    expect(client.jobs[1].params.channel).toBe(1);
    expect(screen.getByTestId('gallery-status')).toHaveTextContent('256 filters in mixed0, 1 drawn');
  });

  it('a layer change cancels the running thumbnail and starts on the new layer; scrolling away cancels too', async () => {
    const client = stubClient();
    useDreamStore.getState().setSetting('layer', 'mixed0');
    render(<FilterGallery />);
    await waitFor(() => expect(client.jobs).toHaveLength(1));
    act(() => useDreamStore.getState().setSetting('layer', 'mixed1'));
    expect(client.jobs[0].signal?.aborted).toBe(true);
    await waitFor(() => expect(client.jobs.at(-1)?.params).toMatchObject({ layer: 'mixed1', channel: 0 }));
    expect(screen.getByRole('listbox', { name: 'Filters of mixed1' })).toBeInTheDocument();
    // Scrolled to filters 100…103: the job for 0 is stale.
    act(() => useGalleryStore.getState().setVisible([100, 101, 102, 103]));
    expect(client.jobs.at(-2)?.signal?.aborted).toBe(true);
    await waitFor(() => expect(client.jobs.at(-1)?.params.channel).toBe(100));
  });

  it('click and Enter pick the filter; arrow keys move through the grid', async () => {
    stubClient();
    useDreamStore.getState().setSetting('layer', 'mixed0');
    render(<FilterGallery />);
    await flush();
    fireEvent.click(screen.getByTestId('filter-thumb-5'));
    expect(useDreamStore.getState().settings.filter).toBe('5');
    expect(screen.getByTestId('filter-thumb-5')).toHaveAttribute('aria-selected', 'true');
    const five = screen.getByTestId('filter-thumb-5');
    five.focus();
    fireEvent.keyDown(five, { key: 'ArrowDown' });
    const below = screen.getByTestId(`filter-thumb-${5 + GALLERY_COLUMNS}`);
    expect(below).toHaveFocus();
    fireEvent.keyDown(below, { key: 'ArrowLeft' });
    expect(screen.getByTestId(`filter-thumb-${4 + GALLERY_COLUMNS}`)).toHaveFocus();
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(useDreamStore.getState().settings.filter).toBe(String(4 + GALLERY_COLUMNS));
    // End jumps to the last filter, rendering its page first.
    expect(screen.queryByTestId('filter-thumb-255')).toBeNull();
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await waitFor(() => expect(screen.getByTestId('filter-thumb-255')).toHaveFocus());
    expect(screen.getByTestId('filter-thumb-255')).toHaveAttribute('tabindex', '0');
  });

  it('pauses while a dream runs', async () => {
    const client = stubClient();
    useDreamStore.getState().setSetting('layer', 'mixed0');
    render(<FilterGallery />);
    await waitFor(() => expect(client.jobs).toHaveLength(1));
    act(() => useDreamStore.setState({ status: 'running' }));
    expect(client.jobs[0].signal?.aborted).toBe(true);
    await flush();
    expect(client.jobs).toHaveLength(1);
    act(() => useDreamStore.setState({ status: 'done' }));
    await waitFor(() => expect(client.jobs).toHaveLength(2));
    expect(client.jobs[1].params.channel).toBe(0);
  });

  it('"What does this photo excite?" lists the top eight filters, draws them first, and picks one on click', async () => {
    const client = stubClient();
    useDreamStore.getState().setSetting('layer', 'mixed0');
    render(<FilterGallery />);
    expect(screen.getByTestId('excites-run')).toBeDisabled();
    await waitFor(() => expect(client.jobs).toHaveLength(1));
    const bitmap = { width: 8, height: 8, close: vi.fn() } as unknown as ImageBitmap;
    act(() => useDreamStore.getState().setPhoto({ bitmap, width: 8, height: 8, originalWidth: 8, originalHeight: 8, isScaled: false }, { file: new Blob(), name: 'p.png' }));
    fireEvent.click(screen.getByTestId('excites-run'));
    await waitFor(() => expect(screen.getByTestId('excites-list').children).toHaveLength(8));
    expect(client.excites).toHaveBeenCalledWith(bitmap, 'mixed0', 8, undefined);
    expect(screen.getByTestId('excites-item-200')).toHaveAccessibleName(/Filter 200: 20\.0 times its usual activation/);
    // The running thumbnail (filter 0, visible) finishes; the excited ones come next, strongest first.
    await act(async () => client.jobs[0].resolve());
    await waitFor(() => expect(client.jobs[1]?.params.channel).toBe(200));
    fireEvent.click(screen.getByTestId('excites-item-203'));
    expect(useDreamStore.getState().settings.filter).toBe('203');
  });
});
