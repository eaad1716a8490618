import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetExplainStore, setExplainClient, useExplainStore } from '../../state/explain-store';
import { useRuntimeStore } from '../../state/runtime-store';
import { ExplainPanel } from './explain-panel';
import { fakeExplainClient, makeResult, type FakeExplainClient } from './explain-test-utils';

const drawing = () => {
  const p = new Float32Array(784);
  for (let y = 5; y < 23; y++) p[y * 28 + 14] = 1;
  return p;
};

/** Puts a drawing and its explanation in the store, as if the user had drawn a 7. */
async function withDrawnDigit(fake: FakeExplainClient) {
  const pixels = drawing();
  await act(async () => {
    useExplainStore.setState({ pixels });
    await useExplainStore.getState().explainNow();
  });
  expect(fake.requests.length).toBeGreaterThan(0);
  return pixels;
}

describe('ExplainPanel', () => {
  let fake: FakeExplainClient;
  beforeEach(() => {
    // jsdom has no 2D canvas; the components must cope with a null context.
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    fake = fakeExplainClient(7);
    setExplainClient(fake);
  });
  afterEach(() => {
    cleanup();
    resetExplainStore();
    setExplainClient(null);
    useRuntimeStore.setState({ backends: {}, preference: 'auto' });
    vi.restoreAllMocks();
  });

  it('renders the stable hooks and reports the backend', async () => {
    render(<ExplainPanel />);
    for (const id of ['draw-canvas', 'draw-clear', 'rule-select', 'target-select', 'contrast-select', 'reference-select', 'explain-upload']) {
      expect(screen.getByTestId(id)).toBeInTheDocument();
    }
    expect(screen.queryByTestId('prediction')).toBeNull();
    await waitFor(() => expect(useRuntimeStore.getState().backends.explain?.name).toBe('cpu'));
  });

  it('lets keyboard users focus the drawing canvas, read what to do instead, and clear it with Delete', async () => {
    render(<ExplainPanel />);
    await withDrawnDigit(fake);
    const canvas = screen.getByTestId('draw-canvas');
    expect(canvas).toHaveAttribute('tabindex', '0');
    expect(canvas).toHaveAccessibleDescription(/upload.*paste/i);
    canvas.focus();
    expect(canvas).toHaveFocus();
    fireEvent.keyDown(canvas, { key: 'Delete' });
    expect(useExplainStore.getState().pixels).toBeNull();
  });

  it('shows the prediction, ten labelled probability bars, the heatmap and the sum readout', async () => {
    render(<ExplainPanel />);
    await withDrawnDigit(fake);
    expect(screen.getByTestId('prediction')).toHaveTextContent(/^7$/);
    const bars = within(screen.getByTestId('probabilities')).getAllByRole('listitem');
    expect(bars).toHaveLength(10);
    bars.forEach((bar, digit) => expect(bar).toHaveAccessibleName(`${digit}: ${digit === 7 ? '91.0' : '1.0'}%`));
    expect(bars[7]).toHaveTextContent('791.0%');
    expect(screen.getByTestId('heatmap')).toBeInTheDocument();
    expect(screen.getByTestId('sum-readout')).toHaveTextContent('Σ C = 3.2141 · Δt = 3.2141');
    expect(screen.getByRole('option', { name: 'predicted (7)' })).toBeInTheDocument();
  });

  it('turns the controls into request parameters', async () => {
    const user = userEvent.setup();
    render(<ExplainPanel />);
    await withDrawnDigit(fake);
    const last = () => fake.requests.at(-1)!.params;

    await user.selectOptions(screen.getByLabelText('Rule'), 'revealcancel');
    await waitFor(() => expect(last().rule).toBe('revealcancel'));
    await user.selectOptions(screen.getByLabelText('Explain class'), '3');
    await waitFor(() => expect(last().target).toBe(3));
    await user.selectOptions(screen.getByLabelText('Rather than'), '5');
    await waitFor(() => expect(last()).toMatchObject({ target: 3, contrast: 5 }));
    // The contrast cannot be the target itself.
    expect(within(screen.getByLabelText('Rather than')).getByRole('option', { name: '3' })).toBeDisabled();
    await user.click(screen.getByLabelText(/Softmax normalisation/));
    await waitFor(() => expect(last().softmaxNormalize).toBe(true));
    await user.selectOptions(screen.getByLabelText('Reference'), 'grey');
    await waitFor(() => expect(last().reference).toEqual({ kind: 'grey', value: 0.5 }));
    await user.selectOptions(screen.getByLabelText('Reference'), 'blurred');
    await waitFor(() => expect(last().reference).toEqual({ kind: 'blurred', sigma: 3 }));
    await user.selectOptions(screen.getByLabelText('Reference'), 'custom');
    await waitFor(() => expect(last().reference.kind).toBe('custom'));
    await user.selectOptions(screen.getByLabelText('Explain class'), '');
    await waitFor(() => expect(last().target).toBeNull());
    expect(screen.getByTestId('sum-readout').nextElementSibling).toHaveTextContent(/logit 7 − logit 5/);
  });

  it('picks a class as the target from the grid of ten maps', async () => {
    const user = userEvent.setup();
    render(<ExplainPanel />);
    await withDrawnDigit(fake);
    const cells = within(screen.getByRole('group', { name: /ten classes/ })).getAllByRole('button');
    expect(cells).toHaveLength(10);
    expect(cells[7]).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: 'Explain class 2' }));
    await waitFor(() => expect(fake.requests.at(-1)!.params.target).toBe(2));
    expect(screen.getByLabelText('Explain class')).toHaveValue('2');
  });

  it('switches the heatmap between overlay and side by side without recomputing', async () => {
    const user = userEvent.setup();
    render(<ExplainPanel />);
    await withDrawnDigit(fake);
    const before = fake.requests.length;
    await user.click(screen.getByLabelText('Side by side'));
    expect(screen.getAllByRole('img', { name: /input digit|Contributions/ })).toHaveLength(2);
    expect(fake.requests).toHaveLength(before);
  });

  it('shows a clear message on a bad upload and keeps the drawing and results', async () => {
    render(<ExplainPanel />);
    const pixels = await withDrawnDigit(fake);
    const input = screen.getByTestId('explain-upload');
    fireEvent.change(input, { target: { files: [new File(['hello, not an image'], 'notes.txt', { type: 'text/plain' })] } });
    expect(await screen.findByTestId('error-message')).toHaveTextContent(/not an image/);
    fireEvent.change(input, { target: { files: [new File([], 'empty.png', { type: 'image/png' })] } });
    await waitFor(() => expect(screen.getByTestId('error-message')).toHaveTextContent(/empty \(0 bytes\)/));
    expect(useExplainStore.getState().pixels).toBe(pixels);
    expect(screen.getByTestId('prediction')).toHaveTextContent('7');
    expect(screen.getByTestId('heatmap')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the message' }));
    expect(screen.queryByTestId('error-message')).toBeNull();
  });

  it('says so when the worker crashes, keeping the drawing', async () => {
    render(<ExplainPanel />);
    const pixels = await withDrawnDigit(fake);
    act(() => fake.crash('The explain worker stopped unexpectedly'));
    expect(screen.getByTestId('error-message')).toHaveTextContent(/stopped unexpectedly.*drawing is kept/);
    expect(useExplainStore.getState().pixels).toBe(pixels);
    expect(screen.getByTestId('prediction')).toHaveTextContent('7');
  });

  it('clears the drawing and the results', async () => {
    const user = userEvent.setup();
    render(<ExplainPanel />);
    await withDrawnDigit(fake);
    await user.click(screen.getByTestId('draw-clear'));
    expect(useExplainStore.getState().pixels).toBeNull();
    expect(screen.queryByTestId('prediction')).toBeNull();
    expect(screen.queryByTestId('heatmap')).toBeNull();
  });
});

describe('result builder sanity', () => {
  it('makes results whose sum matches delta', () => {
    const r = makeResult(4);
    expect(r.sum).toBe(r.delta);
    expect(r.probabilities[4]).toBe(0.91);
  });
});
