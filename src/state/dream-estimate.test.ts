import { describe, expect, it } from 'vitest';
import { correctStepCost, defaultMaxSide, estimateDreamMs, fitStepCost, formatEstimate, typicalStepCost, type StepCost } from './dream-estimate';

const cost = (fixedMs: number, msPerPixel: number): StepCost => ({ backend: 'wasm', fixedMs, msPerPixel, source: 'calibrated' });

describe('dream time estimate', () => {
  it('sums steps × (overhead + per-pixel cost) over the octaves (worked by hand)', () => {
    // 200×100 with 2 octaves at scale 2: sizes 100×50 (5,000 px) and 200×100 (20,000 px).
    // 3 steps each at 10 ms + 0.001 ms/px: 3·(10 + 5) + 3·(10 + 20) = 135 ms.
    expect(estimateDreamMs(200, 100, { octaves: 2, octaveScale: 2, steps: 3 }, cost(10, 0.001))).toBeCloseTo(135, 9);
    // Twice the steps take twice as long; one octave only is just the full size.
    expect(estimateDreamMs(200, 100, { octaves: 2, octaveScale: 2, steps: 6 }, cost(10, 0.001))).toBeCloseTo(270, 9);
    expect(estimateDreamMs(200, 100, { octaves: 1, octaveScale: 2, steps: 3 }, cost(10, 0.001))).toBeCloseTo(90, 9);
  });

  it('fits a line through timed passes, and never a negative overhead', () => {
    const fit = fitStepCost('wasm', [
      { pixels: 4096, ms: 50 + 0.02 * 4096 },
      { pixels: 16384, ms: 50 + 0.02 * 16384 },
    ]);
    expect(fit.fixedMs).toBeCloseTo(50, 6);
    expect(fit.msPerPixel).toBeCloseTo(0.02, 9);
    expect(fit.source).toBe('calibrated');
    const throughOrigin = fitStepCost('wasm', [
      { pixels: 1000, ms: 1 },
      { pixels: 2000, ms: 10 },
    ]);
    expect(throughOrigin.fixedMs).toBe(0);
    expect(throughOrigin.msPerPixel).toBeCloseTo((1 * 1000 + 10 * 2000) / (1000 ** 2 + 2000 ** 2), 12);
  });

  it('a finished dream corrects the cost so it would have predicted that dream', () => {
    const settings = { octaves: 3, octaveScale: 1.4, steps: 10 };
    const before = cost(20, 0.01);
    const predicted = estimateDreamMs(256, 192, settings, before);
    const after = correctStepCost(before, predicted, 2 * predicted);
    expect(estimateDreamMs(256, 192, settings, after)).toBeCloseTo(2 * predicted, 6);
    expect(after.source).toBe('measured');
    expect(correctStepCost(before, 0, 100)).toBe(before);
  });

  it('typical WASM cost: the old default (512×384, 4 × 10) takes minutes, the new WASM default well under one', () => {
    const wasm = typicalStepCost({ name: 'wasm', isSoftwareGpu: false })!;
    const defaults = { octaves: 4, octaveScale: 1.4, steps: 10 };
    expect(estimateDreamMs(512, 384, defaults, wasm) / 60_000).toBeGreaterThan(1.5);
    const side = defaultMaxSide({ name: 'wasm', isSoftwareGpu: false });
    expect(side).toBe(256);
    expect(estimateDreamMs(side, (side * 3) / 4, defaults, wasm)).toBeLessThan(30_000);
    expect(typicalStepCost({ name: 'webgpu', isSoftwareGpu: false })).toBeNull();
  });

  it('defaults by backend: a hardware GPU keeps 512, slow backends get smaller sizes', () => {
    expect(defaultMaxSide({ name: 'webgpu', isSoftwareGpu: false })).toBe(512);
    expect(defaultMaxSide({ name: 'webgl', isSoftwareGpu: false })).toBe(512);
    expect(defaultMaxSide({ name: 'webgpu', isSoftwareGpu: true })).toBe(128);
    expect(defaultMaxSide({ name: 'cpu', isSoftwareGpu: false })).toBe(128);
  });

  it('formats durations in words', () => {
    expect(formatEstimate(400)).toBe('under a second');
    expect(formatEstimate(21_400)).toBe('about 21 s');
    expect(formatEstimate(265_000)).toBe('about 4 min');
  });
});
