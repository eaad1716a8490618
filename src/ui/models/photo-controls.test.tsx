import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetExplainStore, setExplainClient } from '../../state/explain-store';
import { MNIST_SPEC, useModelsStore, type ModelSpec } from '../../state/models-store';
import { DEFAULT_PHOTO_SETTINGS, usePhotoExplainStore } from '../../state/photo-explain-store';
import type { ExplainClient } from '../../workers/explain-client';
import { ModelBar } from './model-bar';
import { PhotoControls } from './photo-controls';

const LABELS = Array.from({ length: 1000 }, (_, i) => (i === 207 ? 'golden retriever' : i === 208 ? 'Labrador retriever' : `thing ${i}`));
const BIG: ModelSpec = {
  id: 'user-big', name: 'my imagenet net', source: 'files',
  input: { height: 224, width: 224, channels: 3, scaling: 'signed', resize: 'crop', isDynamic: false },
  labels: LABELS, numClasses: 1000, weightBytes: 14_000_000,
};

const removed: string[] = [];
const client: ExplainClient = {
  init: async () => ({ name: 'cpu', requested: 'auto', fallbackReason: null, adapter: null, isSoftwareGpu: false }),
  explain: async () => {
    throw new Error('not used');
  },
  removeModel: async (id) => {
    removed.push(id);
  },
  onCrash: () => () => undefined,
  terminate: () => undefined,
};

afterEach(() => {
  cleanup();
  setExplainClient(null);
  resetExplainStore();
  useModelsStore.setState({ models: [MNIST_SPEC], selectedId: MNIST_SPEC.id });
  usePhotoExplainStore.setState({ settings: DEFAULT_PHOTO_SETTINGS, photo: null, result: null });
  vi.restoreAllMocks();
});

describe('photo model controls', () => {
  it('the class pickers of a 1,000-class model can be searched by label', async () => {
    useModelsStore.setState({ models: [MNIST_SPEC, BIG], selectedId: BIG.id });
    render(<PhotoControls />);
    const target = screen.getByTestId('target-select');
    expect(within(target).getAllByRole('option')).toHaveLength(201); // "predicted" + the first 200
    await userEvent.type(screen.getByTestId('target-select-search'), 'retriever');
    expect(within(target).getAllByRole('option').map((o) => o.textContent)).toEqual(['predicted', 'golden retriever', 'Labrador retriever']);
    await userEvent.selectOptions(target, 'Labrador retriever');
    expect(usePhotoExplainStore.getState().settings.target).toBe(208);
    // The chosen class stays listed when the filter no longer matches it, and cannot be its own contrast.
    await userEvent.clear(screen.getByTestId('target-select-search'));
    await userEvent.type(screen.getByTestId('target-select-search'), 'thing 5');
    expect(within(target).getAllByRole('option')[1]!.textContent).toBe('Labrador retriever');
    await userEvent.type(screen.getByTestId('contrast-select-search'), 'Labrador');
    expect(within(screen.getByTestId('contrast-select')).getByRole('option', { name: 'Labrador retriever' })).toHaveProperty('disabled', true);
  });

  it('every setting a newcomer may not know has its "?" tip, in words for photos', async () => {
    useModelsStore.setState({ models: [MNIST_SPEC, BIG], selectedId: BIG.id });
    render(<PhotoControls />);
    for (const topic of ['the rule (Rescale or RevealCancel)', 'the explained class', '“rather than”', 'the reference', 'softmax normalisation']) {
      expect(screen.getByRole('button', { name: `What is ${topic}?` })).toBeInTheDocument();
    }
    await userEvent.click(screen.getByRole('button', { name: 'What is the reference?' }));
    expect(await screen.findByText(/your photo blurred/)).toBeInTheDocument();
  });

  it('the model picker names each model; only a user model can be removed, and removing it goes back to MNIST', async () => {
    setExplainClient(client);
    useModelsStore.setState({ models: [MNIST_SPEC, BIG], selectedId: MNIST_SPEC.id, isHydrated: true });
    render(<ModelBar />);
    const select = screen.getByTestId('model-select');
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['MNIST digits (built in)', 'my imagenet net']);
    expect(screen.queryByTestId('model-remove')).toBeNull();
    await userEvent.selectOptions(select, 'my imagenet net');
    expect(screen.getByTestId('input-height')).toHaveProperty('disabled', true);
    expect(screen.getByTestId('input-scaling')).toHaveProperty('value', 'signed');
    await userEvent.selectOptions(screen.getByTestId('input-resize'), 'fit');
    expect(useModelsStore.getState().models[1]!.input.resize).toBe('fit');
    await userEvent.click(screen.getByTestId('model-remove'));
    expect(removed).toEqual(['user-big']);
    expect(useModelsStore.getState().selectedId).toBe('mnist');
    expect(within(select).getAllByRole('option')).toHaveLength(1);
  });
});
