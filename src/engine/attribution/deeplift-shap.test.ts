import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache } from '../deeplift/deeplift';
import { deepLiftShap, noisyReferences } from './deeplift-shap';
import { loadMnistModel, maxAbsDiff, onCpuLeavingNoTensors, randomInput } from './testing/fixtures';

onCpuLeavingNoTensors();

describe('DeepLIFT-SHAP', () => {
  it('with one reference equals DeepLIFT with that reference (both rules)', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 31);
    const ref = tf.tidy(() => tf.mul(randomInput([28, 28, 1], 32), 0.3));
    for (const rule of ['rescale', 'revealcancel'] as const) {
      const shap = await deepLiftShap(model, x, { target: 4, contrast: 9, references: ref, rule });
      const dl = await deepLift(model, x, { rule, target: 4, contrast: 9, reference: ref });
      expect(maxAbsDiff(shap.attributions, dl.attributions)).toBeLessThan(1e-6);
      expect(shap.delta).toBeCloseTo(dl.delta, 5);
      expect(shap.spread?.references).toBe(1);
      expect(shap.spread?.sumStd).toBe(0);
      expect(Math.max(...(shap.spread?.pixelStd ?? [1]))).toBeLessThan(1e-6);
    }
    releaseDeepLiftCache(model);
    for (const t of [x, ref]) t.dispose();
    model.dispose();
  });

  it('averages DeepLIFT over references and reports the spread', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 33);
    const black = tf.zeros([1, 28, 28, 1]);
    const refs = noisyReferences(black, 3);
    expect(refs.shape).toEqual([3, 28, 28, 1]);
    const shap = await deepLiftShap(model, x, { target: 1, references: refs });
    const maps: Float32Array[] = [];
    const sums: number[] = [];
    for (let r = 0; r < 3; r++) {
      const ref = tf.slice(refs, [r], [1]);
      const dl = await deepLift(model, x, { rule: 'rescale', target: 1, reference: ref });
      maps.push(dl.attributions);
      sums.push(dl.sum);
      ref.dispose();
    }
    const mean = maps[0].map((_, i) => (maps[0][i] + maps[1][i] + maps[2][i]) / 3);
    expect(maxAbsDiff(shap.attributions, mean)).toBeLessThan(1e-6);
    const m = sums.reduce((a, b) => a + b, 0) / 3;
    expect(shap.spread?.sumMean).toBeCloseTo(m, 4);
    expect(shap.spread?.sumStd).toBeGreaterThan(0);
    expect(shap.completenessError).toBeLessThan(1e-3 * Math.max(1, Math.abs(shap.delta as number)));
    // Default references: 10 noised black images.
    const byDefault = await deepLiftShap(model, x, { target: 1, referenceCount: 2 });
    expect(byDefault.spread?.references).toBe(2);
    releaseDeepLiftCache(model);
    for (const t of [x, refs, black]) t.dispose();
    model.dispose();
  });
});
