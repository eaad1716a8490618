import { useExplainStore } from '../../state/explain-store';

/** Formats a probability as a percentage with one decimal ("91.2%"). */
export function formatPercent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** Ten labelled bars, one per digit, with the softmax probability as a percentage; the predicted one highlighted. */
export function ProbabilityBars() {
  const probabilities = useExplainStore((s) => s.result?.probabilities ?? null);
  const predicted = useExplainStore((s) => s.result?.predicted ?? null);
  const target = useExplainStore((s) => s.result?.target ?? null);
  if (!probabilities) {
    return <p className="muted placeholder">Class probabilities appear here.</p>;
  }
  return (
    <ol className="prob-bars" data-testid="probabilities" aria-label="Class probabilities">
      {probabilities.map((p, digit) => (
        <li
          key={digit}
          className={`prob-row ${digit === predicted ? 'is-predicted' : ''} ${digit === target ? 'is-target' : ''}`}
          aria-label={`${digit}: ${formatPercent(p)}`}
        >
          <span className="prob-digit">{digit}</span>
          <span className="prob-track" aria-hidden="true">
            <span className="prob-fill" style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
          </span>
          <span className="prob-value">{formatPercent(p)}</span>
        </li>
      ))}
    </ol>
  );
}
