import { BACKEND_ORDER, type BackendInfo, type BackendPreference } from '../engine/backend-names';
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

/**
 * A warning when the user forced a backend known to be slow here: a software GPU (SwiftShader,
 * llvmpipe) or the pure-JS CPU backend. Figures from DESIGN.md's measurements on this kind of machine.
 */
export function slowBackendNotice(info: BackendInfo | undefined): string | null {
  if (!info || info.requested === 'auto') return null;
  if ((info.name === 'webgpu' || info.name === 'webgl') && info.isSoftwareGpu) {
    const gpu = info.adapter ? `a software GPU (${info.adapter})` : 'a software GPU';
    return (
      `Using ${info.name} as chosen, but here it runs on ${gpu}, which is far slower than WASM on this CPU ` +
      '(a dream step at 96×96: 5.7 s on WebGPU, 9.3 s on WebGL, 0.2 s on WASM). Choose “wasm” or “auto” for speed.'
    );
  }
  if (info.name === 'cpu') {
    return 'Using the pure-JavaScript cpu backend as chosen: it is about 10× slower than WASM (a dream step at 224×224: 11 s against 1.1 s). Choose “wasm” or “auto” for speed.';
  }
  return null;
}

/** Why the backend fell back, or that a forced one is slow, on a line of its own whose space is always reserved (no layout shift). */
export function BackendNotice() {
  const info = useRuntimeStore((s) => s.backends.explain ?? s.backends.dream);
  const slow = slowBackendNotice(info);
  const isAfterLoss = useRuntimeStore((s) => isAfterGpuLoss(s.backends.explain) || isAfterGpuLoss(s.backends.dream));
  if (slow) {
    return (
      <p className="backend-reason backend-reason-slow" role="note" data-testid="backend-notice">
        {slow}
      </p>
    );
  }
  return (
    <p className="backend-reason" role="note" title={info?.fallbackReason ?? undefined} data-testid="backend-notice">
      {/* First, so the line's ellipsis never hides it. */}
      {isAfterLoss ? <TryWebGpuAgain /> : null}
      {info?.fallbackReason ? `Using ${info.name}: ${info.fallbackReason}.` : '\u00a0'}
    </p>
  );
}
