import { useEffect, useState } from 'react';
import { useDreamStore, type DreamProgress } from '../../state/dream-store';

/** "about 12 s left", "about 3 min left". */
export function formatTimeLeft(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'almost done';
  if (s < 90) return `about ${s} s left`;
  return `about ${Math.round(s / 60)} min left`;
}

export function formatDuration(ms: number): string {
  if (ms < 100) return `${Math.max(1, Math.round(ms))} ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function where(p: DreamProgress): string {
  return `Octave ${p.octave + 1}/${p.octaves} · step ${p.step}/${p.steps}`;
}

function Bar({ fraction, label }: { fraction: number; label: string }) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div className="dream-bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="dream-bar-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

/** Re-renders every second while `isTicking`, returning performance.now(). */
function useNow(isTicking: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!isTicking) return;
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, [isTicking]);
  return now;
}

/** Model download, then octave/step, a bar and the time left (counting down between frames); a summary when done or stopped. */
export function DreamProgressView() {
  const status = useDreamStore((s) => s.status);
  const progress = useDreamStore((s) => s.progress);
  const modelProgress = useDreamStore((s) => s.modelProgress);
  const lastRun = useDreamStore((s) => s.lastRun);
  const hasResult = useDreamStore((s) => s.hasResult);
  const model = useDreamStore((s) => s.model);
  const modelName = useDreamStore((s) => (s.userModel && s.settings.modelId === s.userModel.id ? s.userModel.name : 'InceptionV3'));
  const now = useNow(status === 'running' && progress?.etaMs != null);

  let text: string;
  let bar: { fraction: number; label: string } | null = null;
  if (status === 'loading-model') {
    text = `Loading model… ${Math.round(modelProgress * 100)} %`;
    bar = { fraction: modelProgress, label: 'Model download' };
  } else if (status === 'running') {
    const left = progress?.etaMs == null ? null : progress.etaMs - Math.max(0, now - progress.measuredAt);
    text = progress
      ? `${where(progress)} · ${left === null ? 'estimating time…' : formatTimeLeft(left)}`
      : 'Starting… (the first step is the slowest: it prepares the computation)';
    bar = { fraction: progress?.fraction ?? 0, label: 'Dream progress' };
  } else if (status === 'done') {
    const reached = progress ? ` · ${where(progress).toLowerCase()}` : '';
    text = lastRun ? `Done in ${formatDuration(lastRun.elapsedMs)}${reached} · ${lastRun.width}×${lastRun.height}` : 'Done';
    bar = { fraction: 1, label: 'Dream progress' };
  } else if (status === 'idle' && progress && hasResult) {
    text = `Stopped at ${where(progress).toLowerCase()}`;
    bar = { fraction: progress.fraction, label: 'Dream progress' };
  } else if (status === 'error') {
    text = 'Stopped by an error';
  } else if (model === 'loading') {
    text = `Loading model… ${Math.round(modelProgress * 100)} %`;
    bar = { fraction: modelProgress, label: 'Model download' };
  } else {
    text = model === 'ready' ? `Ready: ${modelName} is loaded` : 'Ready';
  }

  return (
    <div className={`dream-progress dream-progress-${status}`} data-testid="dream-progress" role="status" aria-live="polite">
      <span className="dream-progress-text">{text}</span>
      {bar ? <Bar {...bar} /> : null}
    </div>
  );
}
