import { useExplainStore } from '../../state/explain-store';

/** The panel's error, in words the user can act on, with a dismiss button (and Retry when the model failed to load). */
export function ErrorBanner() {
  const error = useExplainStore((s) => s.error);
  const dismiss = useExplainStore((s) => s.dismissError);
  const canRetry = useExplainStore((s) => s.canRetry);
  const retry = useExplainStore((s) => s.retry);
  if (!error) return null;
  return (
    <div className="error explain-error" role="alert">
      <span data-testid="error-message">{error}</span>
      {canRetry ? (
        <button type="button" className="btn" data-testid="error-retry" onClick={retry}>
          Retry
        </button>
      ) : null}
      <button type="button" className="error-dismiss" onClick={dismiss} aria-label="Dismiss the message">
        ×
      </button>
    </div>
  );
}
