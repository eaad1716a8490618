import { useEffect, useMemo, useRef } from 'react';
import { formatEstimate } from '../../state/dream-estimate';
import { dreamEstimate, settingErrors, useDreamStore } from '../../state/dream-store';
import { DreamProgressView } from './dream-progress';

interface DreamActionsProps {
  /** Escape cancels and focus moves only while the panel is the visible tab. */
  isActive: boolean;
}

/** The estimate before Start, in words: how long, and how sure. */
function EstimateLine() {
  const photo = useDreamStore((s) => s.photo);
  const settings = useDreamStore((s) => s.settings);
  const backend = useDreamStore((s) => s.backend);
  const stepCosts = useDreamStore((s) => s.stepCosts);
  const userModel = useDreamStore((s) => s.userModel);
  const estimate = useMemo(() => dreamEstimate({ photo, settings, backend, stepCosts, userModel }), [photo, settings, backend, stepCosts, userModel]);
  const model = useDreamStore((s) => s.model);
  const layer = settings.layer;
  const status = useDreamStore((s) => s.status);
  const calibrate = useDreamStore((s) => s.calibrate);

  // Time this device once per backend and layer, when the model is ready and nothing runs.
  useEffect(() => {
    if (model === 'ready' && status !== 'running' && status !== 'loading-model') void calibrate();
  }, [model, layer, backend, status, calibrate]);

  let text: string;
  if (estimate) {
    const how =
      estimate.cost.source === 'measured'
        ? 'timed on this device'
        : estimate.cost.source === 'calibrated'
          ? 'from a timed step on this device'
          : `typical of ${estimate.cost.backend}; timing this device…`;
    const slow = estimate.ms > 60_000 ? ' A smaller max side finishes much sooner.' : '';
    text = `Estimated time: ${formatEstimate(estimate.ms)} on ${estimate.cost.backend} (${how}).${slow}`;
  } else if (backend && userModel) {
    text = `Estimated time: not known yet for ${userModel.name} on ${backend.name} (the first dream times it).`;
  } else if (backend) {
    text = `Estimated time: measuring the speed of ${backend.name} on this device…`;
  } else {
    text = 'Estimated time: known once the backend has started.';
  }
  return (
    <p className="dream-estimate muted" data-testid="dream-estimate">
      {text}
    </p>
  );
}

/**
 * Start and Cancel with the estimate and the progress, kept together above
 * the canvas. Keyboard: Start moves focus to Cancel; Escape cancels a running
 * dream; when it ends, focus comes back to Start.
 */
export function DreamActions({ isActive }: DreamActionsProps) {
  const status = useDreamStore((s) => s.status);
  const canStart = useDreamStore((s) => s.photo !== null || s.settings.fromNoise);
  const settings = useDreamStore((s) => s.settings);
  const userModel = useDreamStore((s) => s.userModel);
  const start = useDreamStore((s) => s.start);
  const cancel = useDreamStore((s) => s.cancel);
  const hasErrors = useMemo(() => Object.keys(settingErrors({ settings, userModel })).length > 0, [settings, userModel]);
  const isBusy = status === 'running' || status === 'loading-model';
  const startRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const wasBusy = useRef(isBusy);

  useEffect(() => {
    const active = document.activeElement;
    // Only from the buttons themselves or from nowhere (a disabled button drops focus to the body).
    const isLost = active === null || active === document.body;
    if (isActive && isBusy && !wasBusy.current && (isLost || active === startRef.current)) cancelRef.current?.focus();
    if (isActive && !isBusy && wasBusy.current && (isLost || active === cancelRef.current)) startRef.current?.focus();
    wasBusy.current = isBusy;
  }, [isBusy, isActive]);

  useEffect(() => {
    if (!isActive || !isBusy) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        cancel();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [isActive, isBusy, cancel]);

  return (
    <div className="dream-actions-bar" data-testid="dream-actions">
      <div className="dream-actions">
        <button
          ref={startRef}
          type="button"
          className="btn btn-primary"
          data-testid="dream-start"
          disabled={isBusy || hasErrors || !canStart}
          onClick={() => void start()}
        >
          {status === 'done' ? 'Dream again' : 'Start dreaming'}
        </button>
        <button
          ref={cancelRef}
          type="button"
          className="btn"
          data-testid="dream-cancel"
          disabled={!isBusy}
          aria-keyshortcuts="Escape"
          onClick={cancel}
        >
          Cancel <span className="muted dream-key">(Esc)</span>
        </button>
      </div>
      {/* Kept while running too (no layout shift); the progress line below gives the time left. */}
      <EstimateLine />
      <DreamProgressView />
    </div>
  );
}
