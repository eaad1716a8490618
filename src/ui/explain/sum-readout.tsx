import { HELP } from '../about/help-texts';
import { HelpTip } from '../common/help-tip';
import { useExplainStore } from '../../state/explain-store';

/** "Σ C = 3.2141 · Δt = 3.2141": four decimals, enough to see summation-to-delta hold. */
export function formatSumReadout(sum: number, delta: number): string {
  return `Σ C = ${sum.toFixed(4)} · Δt = ${delta.toFixed(4)}`;
}

/** What t is: "logit 7" or "logit 7 − logit 3", with the softmax adjustment noted. */
export function describeTarget(target: number, contrast: number | null, softmaxNormalize: boolean): string {
  const t = contrast === null ? `logit ${target}` : `logit ${target} − logit ${contrast}`;
  return softmaxNormalize && contrast === null ? `${t} − mean logit` : t;
}

/** Σ of the contributions next to Δt = t(x) − t(x₀); DeepLIFT makes them equal. */
export function SumReadout() {
  const result = useExplainStore((s) => s.result);
  const softmaxNormalize = useExplainStore((s) => s.settings.softmaxNormalize);
  if (!result) return null;
  const gap = Math.abs(result.sum - result.delta);
  return (
    <div className="sum">
      <output className="sum-readout" data-testid="sum-readout" title={`|Σ C − Δt| = ${gap.toExponential(2)}`}>
        {formatSumReadout(result.sum, result.delta)}
      </output>
      <p className="muted sum-caption">
        t = {describeTarget(result.target, result.contrast, softmaxNormalize)}; Δt = t(input) − t(reference)
        {' '}<HelpTip topic="Σ C = Δt">{HELP.sumDelta}</HelpTip>
      </p>
    </div>
  );
}
