import { useExplainStore } from '../../state/explain-store';

/** "This picture does not look like a handwritten digit…", shown while an unlike upload is the input. */
export function NotDigitWarning() {
  const warning = useExplainStore((s) => s.notDigitWarning);
  if (!warning) return null;
  return (
    <p className="not-digit" role="status" data-testid="not-a-digit">
      <strong>Not a digit?</strong> {warning}
    </p>
  );
}
