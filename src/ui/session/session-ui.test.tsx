import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useAppUpdateStore } from '../../state/app-update-store';
import { useSessionStore } from '../../state/session-store';
import { StorageNotice } from './storage-notice';
import { UpdatePrompt } from './update-prompt';

afterEach(() => {
  useAppUpdateStore.setState({ isUpdateReady: false, applyUpdate: null });
  useSessionStore.setState({ status: 'starting', notice: null, dropped: [] });
});

describe('UpdatePrompt', () => {
  it('is absent until a new version waits; Reload switches to it; Later hides the prompt', async () => {
    const { rerender } = render(<UpdatePrompt />);
    expect(screen.queryByTestId('update-prompt')).toBeNull();
    const applyUpdate = vi.fn();
    useAppUpdateStore.setState({ isUpdateReady: true, applyUpdate });
    rerender(<UpdatePrompt />);
    expect(screen.getByRole('alert')).toHaveTextContent(/new version/i);
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(applyUpdate).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByRole('button', { name: 'Later' }));
    expect(screen.queryByTestId('update-prompt')).toBeNull();
  });
});

describe('StorageNotice', () => {
  it('shows why the session is not saved, and can be dismissed', async () => {
    render(<StorageNotice />);
    expect(screen.queryByTestId('storage-notice')).toBeNull();
    useSessionStore.setState({ status: 'failed', notice: 'Storage is full: …' });
    expect(await screen.findByTestId('storage-notice')).toHaveTextContent('Storage is full');
    await userEvent.click(screen.getByRole('button', { name: /dismiss the storage notice/i }));
    expect(screen.queryByTestId('storage-notice')).toBeNull();
  });
});
