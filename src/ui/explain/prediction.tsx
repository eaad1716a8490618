import { useExplainStore } from '../../state/explain-store';

/** The predicted digit, large, with its probability; a placeholder until there is a prediction. */
export function Prediction() {
  const predicted = useExplainStore((s) => s.result?.predicted ?? null);
  const probability = useExplainStore((s) => (s.result ? s.result.probabilities[s.result.predicted] : null));
  const isRunning = useExplainStore((s) => s.status === 'running');
  return (
    <div className="prediction" aria-live="polite">
      <span className="prediction-label muted">Prediction</span>
      {predicted === null ? (
        <span className="prediction-digit prediction-empty">
          <span aria-hidden="true">–</span>
          <span className="visually-hidden">no prediction yet</span>
        </span>
      ) : (
        <span className="prediction-digit" data-testid="prediction">
          {predicted}
        </span>
      )}
      <span className="prediction-confidence muted">
        {probability != null ? `${(probability * 100).toFixed(1)}% sure` : 'draw a digit'}
        {isRunning ? <span className="spinner" role="status" aria-label="updating" /> : null}
      </span>
    </div>
  );
}
