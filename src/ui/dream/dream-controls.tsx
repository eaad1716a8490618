import { useMemo } from 'react';
import { DREAM_PRESETS, LIMITS, layerChannels, modelLayers, settingErrors, useDreamStore } from '../../state/dream-store';
import { HELP } from '../about/help-texts';
import { FieldLabel, HelpTip } from '../common/help-tip';
import { DreamModelPicker } from './model-picker';
import { NumberField } from './number-field';

/** Layer, filter, octaves, steps… and presets that set several at once. */
export function DreamControls() {
  const settings = useDreamStore((s) => s.settings);
  const preset = useDreamStore((s) => s.preset);
  const isBusy = useDreamStore((s) => s.status === 'running' || s.status === 'loading-model');
  const setSetting = useDreamStore((s) => s.setSetting);
  const applyPreset = useDreamStore((s) => s.applyPreset);
  const userModel = useDreamStore((s) => s.userModel);
  const errors = useMemo(() => settingErrors({ settings, userModel }), [settings, userModel]);
  const layers = useMemo(() => modelLayers({ settings, userModel }), [settings, userModel]);
  const layer = layers?.find((l) => l.name === settings.layer);
  const channels = layers ? layerChannels(settings.layer, layers) : null;
  const presetInfo = DREAM_PRESETS.find((p) => p.id === preset);

  return (
    <section className="dream-section" aria-labelledby="dream-settings-heading">
      <h2 id="dream-settings-heading" className="dream-heading">
        Settings
      </h2>
      <fieldset className="dream-fields" disabled={isBusy}>
        <DreamModelPicker />
        <div className="dream-field">
          <label htmlFor="dream-preset">Preset</label>
          <div className="dream-field-body">
            <select id="dream-preset" data-testid="preset-select" value={preset} onChange={(e) => applyPreset(e.target.value)}>
              <option value="custom">Custom</option>
              {DREAM_PRESETS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
            {presetInfo ? <span className="dream-hint muted">{presetInfo.description}</span> : null}
            {userModel ? <span className="dream-hint muted">Presets are made for InceptionV3 and switch back to it.</span> : null}
          </div>
        </div>

        <div className="dream-field">
          <FieldLabel htmlFor="dream-layer" label="Layer" help={HELP.layer} />
          <div className="dream-field-body">
            <select id="dream-layer" data-testid="layer-select" value={layer ? settings.layer : ''} onChange={(e) => setSetting('layer', e.target.value)}>
              {layers === null ? <option value="">Reading the model’s layers…</option> : null}
              {(layers ?? []).map((l) => (
                <option key={l.name} value={l.name}>
                  {l.label} · {l.description ?? `${l.channels} filters`}
                </option>
              ))}
            </select>
            {layer ? (
              <span className="dream-hint muted" data-testid="layer-description">
                {layer.channels} filters · {layer.description ?? (layer.label === layer.name ? `the output of ${layer.name}` : `${layer.label}: dreamt on the activated output`)}
              </span>
            ) : null}
          </div>
        </div>

        <div className="dream-field">
          <FieldLabel htmlFor="dream-filter" label="Filter" help={HELP.filter} />
          <div className="dream-field-body">
            <input
              id="dream-filter"
              type="text"
              inputMode="numeric"
              data-testid="filter-input"
              placeholder="all"
              value={settings.filter}
              aria-invalid={errors.filter ? true : undefined}
              aria-describedby="dream-filter-hint"
              onChange={(e) => setSetting('filter', e.target.value)}
            />
            <span id="dream-filter-hint" className={errors.filter ? 'dream-field-error' : 'dream-hint muted'}>
              {errors.filter ?? `Empty or “all” for the whole layer, or one channel 0–${(channels ?? 1) - 1} (${channels ?? '?'} in ${layer?.label ?? settings.layer}).`}
            </span>
          </div>
        </div>

        <div className="dream-grid">
          <NumberField id="dream-octaves" testId="octaves-input" label="Octaves" help={HELP.octaves} value={settings.octaves} min={LIMITS.octaves.min} max={LIMITS.octaves.max} step={1} error={errors.octaves} onChange={(v) => setSetting('octaves', v)} />
          <NumberField id="dream-steps" testId="steps-input" label="Steps / octave" help={HELP.steps} value={settings.steps} min={LIMITS.steps.min} max={LIMITS.steps.max} step={1} error={errors.steps} onChange={(v) => setSetting('steps', v)} />
          <NumberField id="dream-step-size" testId="step-size-input" label="Step size" help={HELP.stepSize} value={settings.stepSize} min={LIMITS.stepSize.min} max={LIMITS.stepSize.max} step="any" error={errors.stepSize} onChange={(v) => setSetting('stepSize', v)} />
          <NumberField id="dream-octave-scale" testId="octave-scale-input" label="Octave scale" help={HELP.octaveScale} value={settings.octaveScale} min={LIMITS.octaveScale.min} max={LIMITS.octaveScale.max} step={0.05} error={errors.octaveScale} onChange={(v) => setSetting('octaveScale', v)} />
          <div className="dream-field">
            <FieldLabel htmlFor="dream-objective" label="Objective" help={HELP.objective} />
            <select id="dream-objective" data-testid="objective-select" value={settings.objective} onChange={(e) => setSetting('objective', e.target.value === 'l2' ? 'l2' : 'mean')}>
              <option value="mean">mean</option>
              <option value="l2">L2 (squares)</option>
            </select>
          </div>
          <NumberField id="dream-seed" testId="seed-input" label="Seed" help={HELP.seed} value={settings.seed} min={LIMITS.seed.min} max={LIMITS.seed.max} step={1} error={errors.seed} onChange={(v) => setSetting('seed', v)} />
        </div>

        <div className="dream-check-row">
          <label className="dream-check">
            <input type="checkbox" data-testid="noise-toggle" checked={settings.fromNoise} onChange={(e) => setSetting('fromNoise', e.target.checked)} />
            <span>
              Start from noise <span className="muted">(activation maximisation: shows what the layer or filter looks for)</span>
            </span>
          </label>
          <HelpTip topic="starting from noise">{HELP.fromNoise}</HelpTip>
        </div>
      </fieldset>
    </section>
  );
}
