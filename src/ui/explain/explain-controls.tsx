import { useId } from 'react';
import { useExplainStore, type HeatmapView, type ReferenceChoice } from '../../state/explain-store';
import type { ExplainRule } from '../../workers/explain-protocol';
import { HELP } from '../about/help-texts';
import { FieldLabel, HelpTip } from '../common/help-tip';
import { CopyLinkButton } from './copy-link-button';
import { ReferenceThumb } from './reference-thumb';

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const REFERENCES: { value: ReferenceChoice; label: string }[] = [
  { value: 'black', label: 'Black image' },
  { value: 'grey', label: 'Uniform grey (0.5)' },
  { value: 'blurred', label: 'Blurred input' },
  { value: 'custom', label: 'Your own drawing' },
];

const parseClass = (value: string): number | null => (value === '' ? null : Number(value));

/** DeepLIFT's settings: rule, target, contrast, softmax normalisation, reference, and the heatmap view. */
export function ExplainControls() {
  const settings = useExplainStore((s) => s.settings);
  const predicted = useExplainStore((s) => s.result?.predicted ?? null);
  const hasDrawing = useExplainStore((s) => s.pixels !== null);
  const hasCustom = useExplainStore((s) => s.customReference !== null);
  const updateSettings = useExplainStore((s) => s.updateSettings);
  const captureReference = useExplainStore((s) => s.captureReference);
  const id = useId();

  const onReference = (value: ReferenceChoice) => {
    // Choosing "your own drawing" with none captured yet captures the current one.
    if (value === 'custom' && !hasCustom) captureReference();
    else updateSettings({ reference: value });
  };

  return (
    <div className="explain-controls">
      <div className="fields">
        <div className="field">
          <FieldLabel htmlFor={`${id}-rule`} label="Rule" topic="the rule (Rescale or RevealCancel)" help={HELP.rule} />
          <select id={`${id}-rule`} data-testid="rule-select" value={settings.rule} onChange={(e) => updateSettings({ rule: e.target.value as ExplainRule })}>
            <option value="rescale">Rescale</option>
            <option value="revealcancel">RevealCancel</option>
          </select>
        </div>

        <div className="field">
          <FieldLabel htmlFor={`${id}-target`} label="Explain class" topic="the explained class" help={HELP.target} />
          <select id={`${id}-target`} data-testid="target-select" value={settings.target ?? ''} onChange={(e) => updateSettings({ target: parseClass(e.target.value) })}>
            <option value="">predicted{predicted !== null ? ` (${predicted})` : ''}</option>
            {DIGITS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>

        <div className="field">
          <FieldLabel htmlFor={`${id}-contrast`} label="Rather than" topic="“rather than”" help={HELP.contrast} />
          <select id={`${id}-contrast`} data-testid="contrast-select" value={settings.contrast ?? ''} onChange={(e) => updateSettings({ contrast: parseClass(e.target.value) })}>
            <option value="">none (target alone)</option>
            {DIGITS.map((d) => (
              <option key={d} value={d} disabled={d === (settings.target ?? predicted)}>
                {d}
              </option>
            ))}
          </select>
        </div>

        <div className="field">
          <FieldLabel htmlFor={`${id}-reference`} label="Reference" topic="the reference" help={HELP.reference} />
          <div className="reference-field-row">
            <select id={`${id}-reference`} data-testid="reference-select" value={settings.reference} onChange={(e) => onReference(e.target.value as ReferenceChoice)}>
              {REFERENCES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            <ReferenceThumb />
          </div>
        </div>
      </div>

      <label className="check">
        <input type="checkbox" checked={settings.softmaxNormalize} onChange={(e) => updateSettings({ softmaxNormalize: e.target.checked })} />
        <span>
          Softmax normalisation
          <small>explain the logit minus the mean of all ten</small>
        </span>
      </label>
      <HelpTip topic="softmax normalisation">{HELP.softmax}</HelpTip>

      <button type="button" className="btn btn-small" onClick={captureReference} disabled={!hasDrawing}>
        Use current drawing as reference
      </button>

      <CopyLinkButton />

      <fieldset className="view-toggle">
        <legend className="visually-hidden">Heatmap view</legend>
        {(['overlay', 'side'] as HeatmapView[]).map((v) => (
          <label key={v} className={settings.view === v ? 'is-on' : ''}>
            <input type="radio" name={`${id}-view`} value={v} checked={settings.view === v} onChange={() => updateSettings({ view: v })} />
            {v === 'overlay' ? 'Overlay' : 'Side by side'}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
