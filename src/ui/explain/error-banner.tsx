import { useExplainStore } from '../../state/explain-store';

/** The panel's error, in words the user can act on, with a dismiss button. */
export function ErrorBanner() {
  const error = useExplainStore((s) => s.error);
  const dismiss = useExplainStore((s) => s.dismissError);
  if (!error) return null;
  return (
    <div className="error explain-error" role="alert">
      <span data-testid="error-message">{error}</span>
      <button type="button" className="error-dismiss" onClick={dismiss} aria-label="Dismiss the message">
        ×
      </button>
    </div>
  );
}
