/** What a newcomer trips over (issue 12): warnings in words, the reference shown, legend and title, keyboard upload. */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetExplainStore, setExplainClient, useExplainStore } from '../../state/explain-store';
import { ExplainPanel } from './explain-panel';
import { fakeExplainClient, makeResult, type FakeExplainClient } from './explain-test-utils';

const drawing = () => {
  const p = new Float32Array(784);
  for (let y = 5; y < 23; y++) p[y * 28 + 14] = 1;
  return p;
};

async function draw(pixels = drawing()) {
  await act(async () => {
    useExplainStore.setState({ pixels });
    await useExplainStore.getState().explainNow();
  });
  return pixels;
}

describe('Explain panel for newcomers', () => {
  let fake: FakeExplainClient;
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    fake = fakeExplainClient(7);
    setExplainClient(fake);
  });
  afterEach(() => {
    cleanup();
    resetExplainStore();
    setExplainClient(null);
    vi.restoreAllMocks();
  });

  it('warns in words about an unlike picture until the user draws or clears', async () => {
    render(<ExplainPanel />);
    await draw();
    expect(screen.queryByTestId('not-a-digit')).toBeNull();
    act(() => useExplainStore.getState().setNotDigitWarning('This picture does not look like a handwritten digit (it has 9 separate dark shapes).'));
    expect(screen.getByTestId('not-a-digit')).toHaveTextContent(/does not look like a handwritten digit/);
    fireEvent.pointerDown(screen.getByTestId('draw-canvas'));
    expect(screen.queryByTestId('not-a-digit')).toBeNull();
    act(() => useExplainStore.getState().setNotDigitWarning('not a digit'));
    fireEvent.click(screen.getByTestId('draw-clear'));
    expect(screen.queryByTestId('not-a-digit')).toBeNull();
  });

  it('shows the reference in use beside the picker, and says what to do when the input is the reference', async () => {
    const user = userEvent.setup();
    render(<ExplainPanel />);
    expect(screen.getByTestId('reference-thumb')).toHaveAccessibleName('Reference in use: a black image');
    await user.selectOptions(screen.getByTestId('reference-select'), 'blurred');
    expect(screen.getByTestId('reference-thumb')).toHaveAccessibleName('Reference in use: the blurred input');
    await draw();
    expect(screen.queryByTestId('reference-equals-input')).toBeNull();
    // "Use current drawing as reference": the worker then compares the drawing with itself.
    fake.explain = async (pixels, params) => ({ ...makeResult(7, params, 0), reference01: pixels.slice() });
    await user.click(screen.getByRole('button', { name: 'Use current drawing as reference' }));
    await waitFor(() => expect(screen.getByTestId('reference-equals-input')).toHaveTextContent(/input is the reference itself.*Draw something else/));
    expect(screen.getAllByTestId('heatmap-legend')[0]).toHaveTextContent('Every contribution is 0');
    expect(screen.getByTestId('reference-thumb')).toHaveAccessibleName('Reference in use: your captured drawing');
  });

  it('titles the heatmap with its class and contrast, and the overlay legend shows no colour at zero', async () => {
    const user = userEvent.setup();
    render(<ExplainPanel />);
    await draw();
    expect(screen.getByTestId('heatmap-title')).toHaveTextContent('Why 7: DeepLIFT contributions to class 7');
    await act(async () => useExplainStore.getState().updateSettings({ target: 8, contrast: 3 }));
    await waitFor(() => expect(screen.getByTestId('heatmap-title')).toHaveTextContent('Why 8 rather than 3'));
    const legend = () => screen.getAllByTestId('heatmap-legend')[0]!;
    expect(legend()).toHaveAttribute('data-mode', 'overlay');
    expect(legend()).toHaveTextContent('0 (no colour)');
    await user.click(screen.getByLabelText('Side by side'));
    expect(legend()).toHaveAttribute('data-mode', 'opaque');
    expect(legend()).not.toHaveTextContent('no colour');
  });

  it('copies a link that carries the settings', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<ExplainPanel />);
    fireEvent.click(screen.getByTestId('copy-link'));
    await waitFor(() => expect(screen.getByText(/Link copied/)).toBeInTheDocument());
    expect(writeText).toHaveBeenCalledWith(window.location.href);
  });

  it('makes the visible upload button the focusable control: Enter and Space open the chooser', async () => {
    const user = userEvent.setup();
    render(<ExplainPanel />);
    const input = screen.getByTestId('explain-upload') as HTMLInputElement;
    const opened = vi.spyOn(input, 'click').mockImplementation(() => undefined);
    expect(input.tabIndex).toBe(-1);
    const button = screen.getByRole('button', { name: 'Upload an image' });
    expect(button).toBe(screen.getByTestId('explain-upload-button'));
    button.focus();
    await user.keyboard('{Enter}');
    expect(opened).toHaveBeenCalledTimes(1);
    await user.keyboard(' ');
    expect(opened).toHaveBeenCalledTimes(2);
  });
});
