import { useId, useMemo, useState } from 'react';
import { classLabel } from '../../engine/models/model-spec';
import { FieldLabel } from '../common/help-tip';

interface ClassPickerProps {
  label: string;
  testId: string;
  value: number | null;
  /** The text of the "no class" option (predicted / none). */
  emptyLabel: string;
  numClasses: number;
  labels: readonly string[] | null;
  disabledIndex?: number | null;
  onChange: (value: number | null) => void;
  /** A "?" tip beside the label. */
  help?: string;
  topic?: string;
}

/** How many options a filtered list shows at most (1,000-class models stay quick to render). */
const MAX_OPTIONS = 200;

/** A class picker that can be searched: a filter box narrows the select's options by label or number. */
export function ClassPicker({ label, testId, value, emptyLabel, numClasses, labels, disabledIndex, onChange, help, topic }: ClassPickerProps) {
  const id = useId();
  const [query, setQuery] = useState('');
  const options = useMemo(() => {
    const q = query.trim().toLowerCase();
    const all = Array.from({ length: numClasses }, (_, i) => i);
    const hits = q ? all.filter((i) => classLabel(labels, i).toLowerCase().includes(q) || String(i) === q) : all;
    const shown = hits.slice(0, MAX_OPTIONS);
    // The chosen class stays an option even when the filter hides it.
    if (value !== null && !shown.includes(value)) shown.unshift(value);
    return shown;
  }, [query, numClasses, labels, value]);
  return (
    <div className="field class-picker">
      <FieldLabel htmlFor={`${id}-select`} label={label} help={help} topic={topic} />
      {numClasses > 12 ? (
        <input type="search" aria-label={`Search the classes for “${label}”`} placeholder="search classes" value={query} onChange={(e) => setQuery(e.target.value)} data-testid={`${testId}-search`} />
      ) : null}
      <select id={`${id}-select`} data-testid={testId} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}>
        <option value="">{emptyLabel}</option>
        {options.map((i) => (
          <option key={i} value={i} disabled={i === disabledIndex}>
            {classLabel(labels, i)}
          </option>
        ))}
      </select>
    </div>
  );
}
