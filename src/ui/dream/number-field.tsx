import { FieldLabel } from '../common/help-tip';

interface NumberFieldProps {
  id: string;
  label: string;
  value: number;
  onChange: (value: number) => void;
  min: number;
  max: number;
  step: number | 'any';
  testId?: string;
  error?: string;
  disabled?: boolean;
  hint?: string;
  /** A "?" beside the label explaining the setting to a newcomer. */
  help?: string;
}

/** A labelled number input; an empty or partial entry becomes NaN, which validation reports. */
export function NumberField({ id, label, value, onChange, min, max, step, testId, error, disabled, hint, help }: NumberFieldProps) {
  const errorId = `${id}-error`;
  return (
    <div className="dream-field">
      <FieldLabel htmlFor={id} label={label} help={help} />
      <div className="dream-field-body">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          data-testid={testId}
          value={Number.isNaN(value) ? '' : value}
          min={min}
          max={max}
          step={step}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => onChange(e.target.value.trim() === '' ? NaN : Number(e.target.value))}
        />
        {hint ? <span className="dream-hint muted">{hint}</span> : null}
        {error ? (
          <span id={errorId} className="dream-field-error">
            {error}
          </span>
        ) : null}
      </div>
    </div>
  );
}

