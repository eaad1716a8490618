import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { FieldLabel, HelpTip } from './help-tip';

describe('HelpTip', () => {
  it('a "?" button that opens and closes a note it controls, announced as its description', async () => {
    const user = userEvent.setup();
    render(<HelpTip topic="Rescale">Rescale divides the change in output by the change in input. It is DeepLIFT’s simplest rule.</HelpTip>);
    const button = screen.getByRole('button', { name: 'What is Rescale?' });
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('note')).not.toBeInTheDocument();
    await user.click(button);
    expect(button).toHaveAttribute('aria-expanded', 'true');
    const note = screen.getByRole('note');
    expect(note).toHaveTextContent('It is DeepLIFT’s simplest rule.');
    expect(button.getAttribute('aria-controls')).toBe(note.id);
    expect(button).toHaveAccessibleDescription(/Rescale divides the change/);
    await user.click(button);
    expect(button).toHaveAttribute('aria-expanded', 'false');
  });

  it('opens from the keyboard; Escape closes it, keeps focus on the button and goes no further', async () => {
    const user = userEvent.setup();
    const outer = vi.fn();
    render(
      <div onKeyDown={(e) => e.key === 'Escape' && outer()}>
        <HelpTip topic="Δt">Δt is the change in the score. DeepLIFT shares it among the pixels.</HelpTip>
      </div>,
    );
    await user.tab();
    const button = screen.getByRole('button', { name: 'What is Δt?' });
    expect(button).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(button).toHaveAttribute('aria-expanded', 'true');
    await user.keyboard('{Escape}');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(button).toHaveFocus();
    expect(outer).not.toHaveBeenCalled();
    // Closed, Escape is left to others (e.g. cancelling a dream).
    await user.keyboard('{Escape}');
    expect(outer).toHaveBeenCalledTimes(1);
  });

  it('a press outside closes it', async () => {
    const user = userEvent.setup();
    render(
      <>
        <HelpTip topic="octaves">Octaves are sizes. Each is larger than the last.</HelpTip>
        <p>elsewhere</p>
      </>,
    );
    await user.click(screen.getByRole('button', { name: 'What is octaves?' }));
    expect(screen.getByRole('note')).toBeVisible();
    fireEvent.pointerDown(screen.getByText('elsewhere'));
    expect(screen.getByRole('button', { name: 'What is octaves?' })).toHaveAttribute('aria-expanded', 'false');
  });

  it('FieldLabel keeps the label tied to its control and the help outside the label', () => {
    render(
      <>
        <FieldLabel htmlFor="f" label="Layer" help="Which layer to strengthen. Early ones give textures." />
        <select id="f" />
      </>,
    );
    expect(screen.getByLabelText('Layer').tagName).toBe('SELECT');
    expect(screen.getByRole('button', { name: 'What is layer?' }).closest('label')).toBeNull();
  });
});
