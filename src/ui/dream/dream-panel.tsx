import { useEffect } from 'react';
import { useDreamStore } from '../../state/dream-store';
import { DreamControls } from './dream-controls';
import { DreamProgressView } from './dream-progress';
import { DreamView } from './dream-view';
import { FilterGallery } from './filter-gallery';
import { PhotoPicker } from './photo-picker';
import './dream.css';

interface DreamPanelProps {
  /** Whether the panel is the visible tab (paste is listened for, the model preloads). */
  isActive: boolean;
}

/** Deep Dream: photo in, settings, start/cancel, frames as they come, download. */
export function DreamPanel({ isActive }: DreamPanelProps) {
  const error = useDreamStore((s) => s.error);
  const dismissError = useDreamStore((s) => s.dismissError);
  const canRetry = useDreamStore((s) => s.model === 'error');
  const retryModel = useDreamStore((s) => s.retryModel);

  // Start the backend and fetch the model the first time the panel is shown, so Start is quick.
  useEffect(() => {
    if (isActive) void useDreamStore.getState().prepare();
  }, [isActive]);

  return (
    <div className="dream">
      <aside className="card dream-side">
        <PhotoPicker isActive={isActive} />
        <DreamControls />
        <FilterGallery />
      </aside>
      <div className="card dream-main">
        <DreamProgressView />
        {error ? (
          <div className="error dream-error" role="alert">
            <span data-testid="error-message">{error}</span>
            {canRetry ? (
              <button type="button" className="btn" data-testid="error-retry" onClick={() => void retryModel()}>
                Retry
              </button>
            ) : null}
            <button type="button" className="dream-dismiss" aria-label="Dismiss the message" onClick={dismissError}>
              ×
            </button>
          </div>
        ) : null}
        <DreamView />
      </div>
    </div>
  );
}
