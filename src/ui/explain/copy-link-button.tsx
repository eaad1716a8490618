import { useState } from 'react';

/** Copies the page's address, which always carries the current settings (never the drawing), for sharing. */
export function CopyLinkButton() {
  const [status, setStatus] = useState<string>('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setStatus('Link copied: it opens these settings (not your drawing).');
    } catch {
      setStatus('Copy the address bar: it carries these settings (not your drawing).');
    }
  };
  return (
    <span className="copy-link">
      <button type="button" className="btn btn-small" data-testid="copy-link" onClick={() => void copy()}>
        Copy link to these settings
      </button>
      <span className="muted" role="status">{status}</span>
    </span>
  );
}
