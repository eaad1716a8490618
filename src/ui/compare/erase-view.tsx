import { HELP } from '../about/help-texts';
import { HelpTip } from '../common/help-tip';
import { eraseFirst } from '../../engine/attribution/erase-first';
import { MAX_ERASED_PIXELS, METHOD_LABELS } from '../../engine/attribution/method-names';
import { useCompareStore } from '../../state/compare-store';
import { useExplainStore } from '../../state/explain-store';
import { MapCanvas } from './map-canvas';

const BLACK = new Float32Array(784);
const DIGITS = Array.from({ length: 10 }, (_, d) => d);

/**
 * Erase to convert (Shrikumar et al. 2017 §4.1): each method erases (sets to
 * black) the pixels with the highest S_orig − S_target > 0; the slider picks
 * how many, and each method shows the erased digit and the change in
 * log-odds t_orig − t_target (before minus after). The curves come from the
 * worker; the slider only reads them.
 */
export function EraseView() {
  const settings = useCompareStore((s) => s.settings);
  const erase = useCompareStore((s) => s.erase);
  const input = useCompareStore((s) => s.eraseInput);
  const isErasing = useCompareStore((s) => s.isErasing);
  const updateSettings = useCompareStore((s) => s.updateSettings);
  const choosePair = useCompareStore((s) => s.choosePair);
  const predicted = useExplainStore((s) => s.result?.predicted ?? null);
  const k = settings.erased;
  const isNotOriginal = erase !== null && predicted !== null && predicted !== erase.original;
  return (
    <section className="card compare-card" aria-labelledby="erase-title" aria-busy={isErasing}>
      <h2 id="erase-title">Erase to convert</h2>
      <p className="muted section-note">
        Erase the pixels that speak most for the original class over the target, ranked by each method; a better method
        lowers the log-odds (logit original − logit target) with fewer pixels.{' '}
        <HelpTip topic="the log-odds">{HELP.eraseLogOdds}</HelpTip>
      </p>
      <div className="erase-controls">
        <div className="field">
          <label htmlFor="erase-original">Original class</label>
          <select id="erase-original" data-testid="erase-original" value={settings.original}
            onChange={(e) => choosePair({ original: Number(e.target.value) })}>
            {DIGITS.map((d) => <option key={d} value={d} disabled={d === settings.target}>{d}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="erase-target">Target class</label>
          <select id="erase-target" data-testid="erase-target" value={settings.target}
            onChange={(e) => choosePair({ target: Number(e.target.value) })}>
            {DIGITS.map((d) => <option key={d} value={d} disabled={d === settings.original}>{d}</option>)}
          </select>
        </div>
        <div className="field erase-slider-field">
          <label htmlFor="erase-slider">Pixels erased: {k} ({((100 * k) / 784).toFixed(1)} %)</label>
          <input id="erase-slider" data-testid="erase-slider" type="range" min={0} max={MAX_ERASED_PIXELS} step={1} value={k}
            onChange={(e) => updateSettings({ erased: Number(e.target.value) })} />
        </div>
      </div>
      {isNotOriginal ? (
        <p className="not-digit erase-warning" role="status" data-testid="erase-not-original">
          <strong>This digit is not a {erase.original}:</strong> the model reads it as {predicted}, so there is little evidence
          for {erase.original} to erase and the ranking below means little. Choose {predicted} as the original class, or draw
          a {erase.original}.
        </p>
      ) : null}
      {!erase || !input ? (
        <p className="muted">{isErasing ? 'Ranking pixels with every method…' : 'Draw a digit on the Explain tab to erase it here.'}</p>
      ) : (
        <>
          <p className="muted">Log-odds before erasing: {erase.logOddsBefore.toFixed(3)} (logit {erase.original} − logit {erase.target})</p>
          <ol className="compare-row">
            {erase.curves.map((c) => {
              const change = c.change[Math.min(k, c.change.length - 1)] ?? 0;
              const erasedCount = Math.min(k, c.order.length);
              return (
                <li key={c.method} className="compare-item" data-testid={`erase-item-${c.method}`}>
                  <MapCanvas input={eraseFirst(input, BLACK, c.order, k)} label={`${METHOD_LABELS[c.method]}: digit with ${erasedCount} pixels erased`} />
                  <strong>{METHOD_LABELS[c.method]}</strong>
                  <span>
                    Δ log-odds <output data-testid={`erase-logodds-${c.method}`}>{change.toFixed(2)}</output>
                  </span>
                  {erasedCount < k ? <span className="muted">only {c.order.length} pixels score &gt; 0</span> : null}
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}
