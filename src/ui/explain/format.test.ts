import { describe, expect, it } from 'vitest';
import { formatScale } from './heatmap-legend';
import { formatPercent } from './probability-bars';
import { describeTarget, formatSumReadout } from './sum-readout';

describe('readout formatting', () => {
  it('shows Σ C and Δt side by side with four decimals', () => {
    expect(formatSumReadout(3.21412, 3.21409)).toBe('Σ C = 3.2141 · Δt = 3.2141');
    expect(formatSumReadout(-0.5, -0.50001)).toBe('Σ C = -0.5000 · Δt = -0.5000');
    expect(formatSumReadout(12.34567, 12.3457)).toBe('Σ C = 12.3457 · Δt = 12.3457');
  });

  it('describes the explained quantity', () => {
    expect(describeTarget(7, null, false)).toBe('logit 7');
    expect(describeTarget(8, 3, false)).toBe('logit 8 − logit 3');
    expect(describeTarget(8, null, true)).toBe('logit 8 − mean logit');
  });

  it('formats percentages and legend scales', () => {
    expect(formatPercent(0.9123)).toBe('91.2%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatScale(0)).toBe('0');
    expect(formatScale(0.123456)).toBe('0.123');
    expect(formatScale(2.5e-5)).toBe('2.50e-5');
  });
});
