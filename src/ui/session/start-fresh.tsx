import { useState } from 'react';
import { clearStoredSession } from '../../state/persistence';
import { useSessionStore } from '../../state/session-store';
import { urlSearchWithoutSettings } from '../../state/url-settings';

/** Clears everything stored on this device (after a confirmation) and reloads into an empty app. */
export function StartFresh() {
  const [isConfirming, setIsConfirming] = useState(false);
  const [isClearing, setIsClearing] = useState(false);
  const confirm = async () => {
    setIsClearing(true);
    try {
      await clearStoredSession();
      // The address bar carries the settings (a shareable link); fresh means without them too.
      location.replace(`${location.pathname}${urlSearchWithoutSettings(location.search)}${location.hash}`);
    } catch (e) {
      setIsClearing(false);
      setIsConfirming(false);
      useSessionStore.setState({ notice: `The stored session could not be cleared: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  if (!isConfirming) {
    return (
      <button type="button" className="btn btn-quiet" data-testid="start-fresh" onClick={() => setIsConfirming(true)}>
        Start fresh
      </button>
    );
  }
  return (
    <span className="start-fresh-confirm" role="group" aria-label="Start fresh">
      <span>Clear the drawing, photo, dreams and settings stored on this device?</span>
      <button type="button" className="btn btn-danger" data-testid="start-fresh-confirm" disabled={isClearing} onClick={() => void confirm()}>
        Clear everything
      </button>
      <button type="button" className="btn" data-testid="start-fresh-cancel" disabled={isClearing} onClick={() => setIsConfirming(false)}>
        Keep
      </button>
    </span>
  );
}
