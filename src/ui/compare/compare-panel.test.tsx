import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES, type MethodName } from '../../engine/attribution/method-names';
import { resetCompareStore, setCompareClient, useCompareStore } from '../../state/compare-store';
import { resetExplainStore, setExplainClient, useExplainStore } from '../../state/explain-store';
import { MNIST_SPEC, useModelsStore, type ModelSpec } from '../../state/models-store';
import { DEFAULT_PHOTO_SETTINGS, usePhotoExplainStore } from '../../state/photo-explain-store';
import type { PhotoCompareParams } from '../../workers/explain-protocol';
import type { CompareClient } from '../../workers/compare-client';
import type { CompareParams, CompareResult, EraseParams, EraseResult } from '../../workers/compare-protocol';
import { CPU_INFO, fakeExplainClient, makeResult } from '../explain/explain-test-utils';
import { ComparePanel } from './compare-panel';

const digit = () => {
  const p = new Float32Array(784);
  for (let y = 5; y < 23; y++) p[y * 28 + 14] = 1;
  return p;
};

/** Method i's curve rises by (i + 1)/100 per erased pixel. */
function eraseResult(params: EraseParams): EraseResult {
  return {
    original: params.original, target: params.target, logOddsBefore: 4.5,
    curves: params.methods.map((method, i) => ({
      method, ms: 1,
      order: Int32Array.from({ length: 157 }, (_, k) => k),
      change: Float32Array.from({ length: 158 }, (_, k) => (k * (i + 1)) / 100),
    })),
  };
}

function compareResult(params: CompareParams): CompareResult {
  return {
    target: params.target ?? 1, contrast: params.contrast, predicted: 1,
    maps: params.methods.map((method: MethodName, i) => {
      const attributions = new Float32Array(784);
      attributions[300] = i + 1;
      const hasDelta = method !== 'gradient' && method !== 'guided-backprop';
      return {
        method, attributions, sum: i + 1, delta: hasDelta ? i + 1 : null, completenessError: hasDelta ? 0 : null,
        sumStd: method === 'deeplift-shap' ? 0.5 : null, ms: 10 * (i + 1),
      };
    }),
  };
}

interface StubClient extends CompareClient {
  compares: CompareParams[];
  erases: EraseParams[];
}

function stubClient(): StubClient {
  const compares: CompareParams[] = [];
  const erases: EraseParams[] = [];
  return {
    compares, erases,
    init: async () => CPU_INFO,
    compare: async (_pixels, params) => {
      compares.push(params);
      return compareResult(params);
    },
    erase: async (_pixels, params) => {
      erases.push(params);
      return eraseResult(params);
    },
    onCrash: () => () => undefined,
    terminate: () => undefined,
  };
}

describe('ComparePanel', () => {
  let stub: StubClient;
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    stub = stubClient();
    setCompareClient(stub);
  });
  afterEach(() => {
    cleanup();
    resetCompareStore();
    resetExplainStore();
    setCompareClient(null);
    vi.restoreAllMocks();
  });

  it('asks for nothing while hidden or without a digit', async () => {
    const { rerender } = render(<ComparePanel isActive={false} />);
    act(() => useExplainStore.setState({ pixels: digit() }));
    rerender(<ComparePanel isActive={false} />);
    expect(stub.compares).toHaveLength(0);
    expect(screen.getByTestId('compare-view')).toHaveTextContent(/Draw a digit/);
  });

  it('shows every method in a row with Σ vs Δt and its cost, on a shared or per-map scale', async () => {
    act(() => useExplainStore.setState({ pixels: digit() }));
    act(() => useExplainStore.getState().updateSettings({ target: 8, contrast: 3 }));
    render(<ComparePanel isActive />);
    await waitFor(() => expect(screen.getByTestId('compare-map-deeplift-shap')).toBeInTheDocument());
    expect(stub.compares[0]).toMatchObject({ target: 8, contrast: 3, reference: { kind: 'black' } });
    expect(stub.compares[0].methods).toEqual([...METHOD_NAMES]);
    for (const m of METHOD_NAMES) expect(screen.getByTestId(`compare-map-${m}`)).toBeInTheDocument();
    expect(screen.getByTestId('compare-view')).toHaveTextContent('class 8 rather than 3');
    const rescale = within(screen.getByTestId('compare-map-deeplift-rescale'));
    expect(rescale.getByText('DeepLIFT Rescale')).toBeInTheDocument();
    expect(rescale.getByText(/Σ 5\.000 · Δt 5\.000/)).toBeInTheDocument();
    expect(rescale.getByText(/^50.0 ms/)).toBeInTheDocument();
    expect(within(screen.getByTestId('compare-map-gradient')).getByText(/no Δt/)).toBeInTheDocument();
    expect(within(screen.getByTestId('compare-map-deeplift-shap')).getByText(/± 0\.5/)).toBeInTheDocument();
    // Default: one robust scale per map (99th percentile of its non-zero |scores|), said in the legend.
    expect(within(screen.getByTestId('compare-map-gradient')).getByText(/±1$/)).toBeInTheDocument();
    expect(screen.getByTestId('compare-view')).toHaveTextContent(/own scale.*99th percentile/);
    fireEvent.click(screen.getByTestId('compare-scale-toggle'));
    // Shared: the 99th percentile of the non-zero |scores| pooled over all maps (here 1 … 7, so 7).
    expect(screen.getByLabelText('Colour scale from minus 7 to plus 7')).toBeInTheDocument();
    expect(screen.getByTestId('compare-view')).toHaveTextContent(/One shared scale: ±7 is the 99th percentile/);
    // The reference the methods used is shown.
    expect(screen.getByTestId('compare-reference')).toHaveAccessibleName('The reference the methods used');
  });

  it('starts Erase to convert from the prediction, keeps the user’s pair, and says when the digit is not of the original class', async () => {
    act(() => useExplainStore.setState({ pixels: digit() }));
    const probabilities = [0.01, 0.02, 0.03, 0.2, 0.01, 0.7, 0.01, 0.01, 0.005, 0.005];
    act(() => useExplainStore.setState({ result: { ...makeResult(5), probabilities } }));
    render(<ComparePanel isActive />);
    // Predicted 5; its most likely other class is 3.
    await waitFor(() => expect(stub.erases.at(-1)).toMatchObject({ original: 5, target: 3 }));
    expect(screen.getByTestId('erase-original')).toHaveValue('5');
    expect(screen.getByTestId('erase-target')).toHaveValue('3');
    await waitFor(() => expect(screen.getByTestId('erase-logodds-gradient')).toBeInTheDocument());
    expect(screen.queryByTestId('erase-not-original')).toBeNull();
    // The user's choice stays, even when the prediction changes.
    fireEvent.change(screen.getByTestId('erase-original'), { target: { value: '8' } });
    await waitFor(() => expect(stub.erases.at(-1)).toMatchObject({ original: 8, target: 3 }));
    act(() => useExplainStore.setState({ result: { ...makeResult(6), probabilities: [0, 0, 0, 0, 0, 0.1, 0.9, 0, 0, 0] } }));
    expect(useCompareStore.getState().settings).toMatchObject({ original: 8, target: 3 });
    await waitFor(() => expect(screen.getByTestId('erase-not-original')).toHaveTextContent('This digit is not a 8: the model reads it as 6'));
  });

  it('erases to convert: the slider reads each method’s log-odds change live', async () => {
    act(() => useExplainStore.setState({ pixels: digit() }));
    render(<ComparePanel isActive />);
    await waitFor(() => expect(screen.getByTestId('erase-logodds-gradient')).toBeInTheDocument());
    expect(stub.erases[0]).toMatchObject({ original: 8, target: 3 });
    // Default 40 pixels: method i shows 40·(i + 1)/100.
    expect(screen.getByTestId('erase-logodds-gradient')).toHaveTextContent('0.40');
    expect(screen.getByTestId('erase-logodds-deeplift-revealcancel')).toHaveTextContent('2.40');
    fireEvent.change(screen.getByTestId('erase-slider'), { target: { value: '157' } });
    expect(useCompareStore.getState().settings.erased).toBe(157);
    expect(screen.getByTestId('erase-logodds-gradient')).toHaveTextContent('1.57');
    expect(screen.getByTestId('erase-logodds-deeplift-shap')).toHaveTextContent('10.99');
    expect(screen.getByRole('slider')).toHaveAttribute('max', '157');
    // No new worker request for a slider move; a new pair asks again.
    expect(stub.erases).toHaveLength(1);
    fireEvent.change(screen.getByTestId('erase-original'), { target: { value: '9' } });
    fireEvent.change(screen.getByTestId('erase-target'), { target: { value: '1' } });
    await waitFor(() => expect(stub.erases.at(-1)).toMatchObject({ original: 9, target: 1 }));
    expect(useCompareStore.getState().settings.isPairChosen).toBe(true);
  });

  it('downloads each map’s raw scores (JSON) with what they explain', async () => {
    let saved: Blob | null = null;
    URL.createObjectURL = vi.fn((b: Blob) => {
      saved = b;
      return 'blob:test';
    });
    URL.revokeObjectURL = vi.fn();
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    act(() => useExplainStore.setState({ pixels: digit() }));
    act(() => useExplainStore.getState().updateSettings({ target: 8, contrast: 3 }));
    render(<ComparePanel isActive />);
    await waitFor(() => expect(screen.getByTestId('compare-export-guided-backprop')).toBeInTheDocument());
    for (const m of METHOD_NAMES) expect(screen.getByTestId(`compare-export-${m}`)).toBeInTheDocument();
    fireEvent.click(within(screen.getByTestId('compare-export-guided-backprop')).getByRole('button', { name: /as JSON/ }));
    expect(names).toEqual(['guided-backprop-class-8-vs-3.json']);
    const json = JSON.parse(await saved!.text());
    const index = METHOD_NAMES.indexOf('guided-backprop');
    expect(json).toMatchObject({ method: 'guided-backprop', target: 8, contrast: 3, reference: 'black', delta: null });
    expect(json.attributions[300]).toBe(index + 1);
  });

  it('shows a worker failure as an error message', async () => {
    stub.compare = async () => {
      throw Object.assign(new Error('The digit model could not be loaded: 404'), { name: 'ModelLoadError' });
    };
    act(() => useExplainStore.setState({ pixels: digit() }));
    render(<ComparePanel isActive />);
    await waitFor(() => expect(screen.getByTestId('error-message')).toHaveTextContent('could not be loaded: 404'));
  });
});

describe('ComparePanel on a selected photo model', () => {
  const SPEC: ModelSpec = {
    id: 'user-dag', name: 'tiny dag', source: 'files',
    input: { height: 4, width: 5, channels: 3, scaling: 'unit', resize: 'crop', isDynamic: false },
    labels: ['acorn', 'bison', 'canoe'], numClasses: 3, weightBytes: 1000,
  };
  const photo = { rgba: new Uint8ClampedArray(6 * 6 * 4).fill(100), width: 6, height: 6 };
  let requests: { modelId: string; params: PhotoCompareParams }[];
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    requests = [];
    setExplainClient({
      ...fakeExplainClient(1),
      comparePhoto: async (modelId, _photo, params) => {
        requests.push({ modelId, params });
        return {
          modelId, height: 4, width: 5, seen: new Uint8ClampedArray(80), target: params.target ?? 1, contrast: params.contrast, predicted: 1,
          referenceKind: params.reference === 'shap' ? 'black' : params.reference,
          maps: params.methods.map((method, i) => ({
            method, attributions: new Float32Array(20).fill((i + 1) / 20), sum: i + 1,
            delta: method === 'gradient' || method === 'guided-backprop' ? null : i + 1, completenessError: 0, sumStd: null, ms: 5,
          })),
        };
      },
    });
    useModelsStore.setState({ models: [MNIST_SPEC, SPEC], selectedId: SPEC.id });
  });
  afterEach(() => {
    cleanup();
    setExplainClient(null);
    resetCompareStore();
    useModelsStore.setState({ models: [MNIST_SPEC], selectedId: MNIST_SPEC.id });
    usePhotoExplainStore.setState({ settings: DEFAULT_PHOTO_SETTINGS, photo: null, result: null });
    vi.restoreAllMocks();
  });

  it('runs every method on the photo panel\'s photo, class and reference in the Explain worker; no erase view', async () => {
    usePhotoExplainStore.setState({ photo, settings: { ...DEFAULT_PHOTO_SETTINGS, target: 2, contrast: 0, reference: 'blurred' } });
    render(<ComparePanel isActive={false} />);
    expect(requests).toHaveLength(0); // nothing while the tab is hidden
    cleanup();
    render(<ComparePanel isActive />);
    await screen.findByTestId('compare-map-deeplift-shap');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ modelId: 'user-dag', params: { target: 2, contrast: 0, reference: 'blurred', input: { height: 4, width: 5 }, methods: [...METHOD_NAMES] } });
    expect(screen.getByRole('heading', { name: /every method on one photo · canoe rather than acorn/i })).toBeInTheDocument();
    expect(screen.getByTestId('compare-map-gradient')).toHaveTextContent('no reference, no Δt');
    expect(screen.getByTestId('compare-map-deeplift-rescale')).toHaveTextContent('Σ 5.000 · Δt 5.000');
    expect(screen.getByTestId('compare-photo-reference')).toHaveTextContent('measure from the blurred photo');
    expect(screen.queryByTestId('erase-original')).toBeNull();
    expect(within(screen.getByTestId('compare-export-deeplift-rescale')).getAllByRole('button').map((b) => b.textContent)).toEqual(['PNG', 'JSON', 'CSV']);
    // A new reference in the photo panel: compared again.
    act(() => usePhotoExplainStore.setState({ settings: { ...DEFAULT_PHOTO_SETTINGS, target: 2, contrast: 0, reference: 'shap' } }));
    await waitFor(() => expect(requests).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId('compare-photo-reference')).toHaveTextContent('measure from black'));
  });
});
