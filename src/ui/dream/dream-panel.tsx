import { useEffect } from 'react';
import { useDreamStore } from '../../state/dream-store';
import { DreamActions } from './dream-actions';
import { DreamHistory } from '../session/dream-history';
import { DreamControls } from './dream-controls';
import { DreamView } from './dream-view';
import { FilterHeatmapView } from './filter-heatmap';
import { FilterGallery } from './filter-gallery';
import { GuidePicker } from './guide-picker';
import { PhotoPicker } from './photo-picker';
import { FilmSection } from '../film/film-section';
import { useBackendMaxSide } from './photo-loader';
import './dream.css';

interface DreamPanelProps {
  /** Whether the panel is the visible tab (paste is listened for, the model preloads). */
  isActive: boolean;
}

/**
 * Deep Dream. Two columns on wide screens: a settings column (photo, then
 * settings; further sections go at its end) and a stage column that stays in
 * view (sticky) with Start/Cancel, the estimate, the progress and the canvas
 * together. On narrow screens the stage comes first and its action bar and
 * canvas stay at the top of the screen (sticky) while the settings scroll.
 */
export function DreamPanel({ isActive }: DreamPanelProps) {
  const error = useDreamStore((s) => s.error);
  const dismissError = useDreamStore((s) => s.dismissError);
  const canRetry = useDreamStore((s) => s.model === 'error');
  const retryModel = useDreamStore((s) => s.retryModel);
  useBackendMaxSide();

  // Start the backend and fetch the model the first time the panel is shown, so Start is quick.
  useEffect(() => {
    if (isActive) void useDreamStore.getState().prepare();
  }, [isActive]);

  return (
    <div className="dream">
      <div className="dream-settings-column">
        <aside className="card dream-side" aria-label="Photo and settings">
          <PhotoPicker isActive={isActive} />
          <DreamControls />
          <GuidePicker />
          <FilterGallery />
        </aside>
        <div className="card dream-side">
          <FilterHeatmapView />
        </div>
        <div className="card dream-side">
          <DreamHistory />
        </div>
        <div className="card dream-side">
          <FilmSection />
        </div>
      </div>
      <div className="card dream-main">
        <DreamView
          header={
            <>
              <DreamActions isActive={isActive} />
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
            </>
          }
        />
      </div>
    </div>
  );
}
