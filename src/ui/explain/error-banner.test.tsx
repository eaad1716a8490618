import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { resetExplainStore, setExplainClient, useExplainStore } from '../../state/explain-store';
import { ErrorBanner } from './error-banner';
import { fakeExplainClient, makeResult } from './explain-test-utils';

function modelLoadError(): Error {
  const e = new Error('The digit model could not be loaded: HTTP 404');
  e.name = 'ModelLoadError';
  return e;
}

describe('ErrorBanner', () => {
  afterEach(() => {
    setExplainClient(null);
    resetExplainStore();
  });

  it('offers Retry after a failed model load, and Retry explains the drawing again', async () => {
    const client = fakeExplainClient(3);
    let failures = 1;
    const answer = client.explain;
    client.explain = async (pixels, params, options) => {
      if (failures-- > 0) {
        client.requests.push({ pixels, params, options: options ?? {} });
        throw modelLoadError();
      }
      return answer(pixels, params, options);
    };
    setExplainClient(client);
    render(<ErrorBanner />);
    useExplainStore.setState({ pixels: new Float32Array(784).fill(0.5) });
    await useExplainStore.getState().explainNow();
    expect(await screen.findByTestId('error-message')).toHaveTextContent('The digit model could not be loaded: HTTP 404');
    expect(useExplainStore.getState().canRetry).toBe(true);

    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(useExplainStore.getState().result?.predicted).toBe(3));
    expect(client.requests).toHaveLength(2);
    expect(screen.queryByTestId('error-message')).not.toBeInTheDocument();
    expect(useExplainStore.getState().canRetry).toBe(false);
  });

  it('offers no Retry for other errors', async () => {
    setExplainClient(fakeExplainClient());
    useExplainStore.setState({ result: makeResult(7) });
    render(<ErrorBanner />);
    useExplainStore.getState().showError('The file is empty (0 bytes).');
    expect(await screen.findByTestId('error-message')).toHaveTextContent('The file is empty (0 bytes).');
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });
});
