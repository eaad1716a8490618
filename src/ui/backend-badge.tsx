import { BACKEND_ORDER, type BackendPreference } from '../engine/backend-names';
import { useExplainStore } from '../state/explain-store';
import { isAfterGpuLoss } from '../state/gpu-retry';
import { useRuntimeStore } from '../state/runtime-store';
import { TryWebGpuAgain } from './try-webgpu-again';

/** Shows the active tfjs backend (text is its name) and why any fallback happened; lets the user force one. */
export function BackendBadge() {
  const info = useRuntimeStore((s) => s.backends.explain ?? s.backends.dream);
  const preference = useRuntimeStore((s) => s.preference);
  const setPreference = useRuntimeStore((s) => s.setPreference);
  const onChange = (value: string) => {
    const next = value as BackendPreference;
    setPreference(next);
    const url = new URL(location.href);
    if (next === 'auto') url.searchParams.delete('backend');
    else url.searchParams.set('backend', next);
    history.replaceState(null, '', url);
    // Restart the Explain worker's backend now so the badge and the current result follow the choice;
    // the Dream worker switches at its next start.
    const explain = useExplainStore.getState();
    void explain.warmUp().then(() => explain.explainNow());
  };
  return (
    <div className="backend">
      <span className="backend-label">Backend</span>
      <span
        className={`badge ${info?.fallbackReason ? 'badge-warn' : ''}`}
        data-testid="backend-badge"
        title={info?.fallbackReason ?? info?.adapter ?? ''}
        aria-live="polite"
      >
        {info ? info.name : 'starting…'}
      </span>
      <label className="backend-choice">
        <span className="visually-hidden">Force a backend</span>
        <select aria-label="Force a backend" value={preference} onChange={(e) => onChange(e.target.value)}>
          <option value="auto">auto</option>
          {BACKEND_ORDER.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Why the backend fell back, on a line of its own whose space is always reserved (no layout shift). */
export function BackendNotice() {
  const info = useRuntimeStore((s) => s.backends.explain ?? s.backends.dream);
  const isAfterLoss = useRuntimeStore((s) => isAfterGpuLoss(s.backends.explain) || isAfterGpuLoss(s.backends.dream));
  return (
    <p className="backend-reason" role="note" title={info?.fallbackReason ?? undefined}>
      {/* First, so the line's ellipsis never hides it. */}
      {isAfterLoss ? <TryWebGpuAgain /> : null}
      {info?.fallbackReason ? `Using ${info.name}: ${info.fallbackReason}.` : '\u00a0'}
    </p>
  );
}
