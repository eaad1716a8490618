import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetExplainStore, setExplainClient, useExplainStore } from '../../state/explain-store';
import { fakeExplainClient } from '../explain/explain-test-utils';
import { Heatmap } from '../explain/heatmap';
import { attributionsCsv, attributionsJson } from './export-files';

describe('attribution files', () => {
  it('writes a 28×28 CSV grid, one image row per line, at full precision', () => {
    const v = Float32Array.from({ length: 784 }, (_, i) => (i === 29 ? -0.125 : i === 783 ? 1 / 3 : 0));
    const lines = attributionsCsv(v).trimEnd().split('\n');
    expect(lines).toHaveLength(28);
    expect(lines.every((l) => l.split(',').length === 28)).toBe(true);
    expect(lines[1]!.split(',')[1]).toBe('-0.125');
    expect(Number(lines[27]!.split(',')[27])).toBeCloseTo(1 / 3, 7);
  });

  it('writes JSON with what the scores explain, the scores and the input', () => {
    const j = JSON.parse(attributionsJson({ method: 'gradient', target: 4 }, new Float32Array(784).fill(0.5), new Float32Array(784)));
    expect(j).toMatchObject({ method: 'gradient', target: 4, shape: [28, 28] });
    expect(j.attributions).toHaveLength(784);
    expect(j.input).toHaveLength(784);
  });

  it('writes a photo model\'s H × W maps (2 × 3 here) row by row', () => {
    const v = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(attributionsCsv(v, 2, 3)).toBe('1,2,3\n4,5,6\n');
    expect(JSON.parse(attributionsJson({ method: 'deeplift-rescale' }, v, null, 2, 3))).toMatchObject({ shape: [2, 3], attributions: [1, 2, 3, 4, 5, 6] });
  });
});

describe('Explain heatmap downloads', () => {
  const blobs: { name: string; blob: Blob }[] = [];
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    vi.spyOn(HTMLCanvasElement.prototype, 'toBlob').mockImplementation(function (this: HTMLCanvasElement, cb) {
      cb(new Blob(['png'], { type: 'image/png' }));
    });
    let last: Blob | null = null;
    URL.createObjectURL = vi.fn((b: Blob) => {
      last = b;
      return 'blob:test';
    });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      blobs.push({ name: this.download, blob: last! });
    });
    setExplainClient(fakeExplainClient(7));
  });
  afterEach(() => {
    cleanup();
    resetExplainStore();
    setExplainClient(null);
    vi.restoreAllMocks();
    blobs.length = 0;
  });

  it('downloads the heatmap as PNG and its raw attributions as JSON and CSV', async () => {
    const pixels = new Float32Array(784).fill(0.2);
    await act(async () => {
      useExplainStore.setState({ pixels });
      await useExplainStore.getState().explainNow();
    });
    render(<Heatmap />);
    const group = within(screen.getByTestId('heatmap-export'));
    fireEvent.click(group.getByRole('button', { name: /as a PNG image/ }));
    fireEvent.click(group.getByRole('button', { name: /as JSON/ }));
    fireEvent.click(group.getByRole('button', { name: /as CSV/ }));
    await waitFor(() => expect(blobs).toHaveLength(3));
    expect(blobs.map((b) => b.name)).toEqual(['deeplift-rescale-class-7.png', 'deeplift-rescale-class-7.json', 'deeplift-rescale-class-7.csv']);
    expect(blobs[0]!.blob.type).toBe('image/png');
    const json = JSON.parse(await blobs[1]!.blob.text());
    const result = useExplainStore.getState().result!;
    expect(json).toMatchObject({ method: 'deeplift-rescale', target: 7, contrast: null, reference: 'black', sum: result.sum, delta: result.delta });
    expect(json.attributions[300]).toBeCloseTo(result.attributions[300]!, 6);
    expect(json.input[0]).toBeCloseTo(0.2, 6);
    const csv = (await blobs[2]!.blob.text()).trimEnd().split('\n');
    expect(Number(csv[10]!.split(',')[20])).toBeCloseTo(result.attributions[300]!, 6); // pixel 300 = row 10, column 20
  });
});
