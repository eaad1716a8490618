import { describe, expect, it } from 'vitest';
import { releaseDeepLiftCache } from '../deeplift/deeplift';
import { ATTRIBUTION_METHODS, METHOD_NAMES, isMethodName } from './methods';
import { releaseLogitsFunction } from './logits-function';
import { loadMnistModel, onCpuLeavingNoTensors, randomInput } from './testing/fixtures';

onCpuLeavingNoTensors();

describe('attribution method registry', () => {
  it('names every method by its command-line name', () => {
    expect([...METHOD_NAMES].sort()).toEqual(Object.keys(ATTRIBUTION_METHODS).sort());
    expect(isMethodName('deeplift-shap')).toBe(true);
    expect(isMethodName('lime')).toBe(false);
  });

  it('gives every method the same result shape on the MNIST model', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 41);
    for (const name of METHOD_NAMES) {
      const r = await ATTRIBUTION_METHODS[name](model, x, { target: 8, contrast: 3, steps: 8, referenceCount: 2 });
      expect(r.method).toBe(name);
      expect(r.shape).toEqual([1, 28, 28, 1]);
      expect(r.attributions.length).toBe(784);
      expect(r.target).toBe(8);
      expect(r.contrast).toBe(3);
      expect(r.logits.length).toBe(10);
      const hasDelta = name !== 'gradient' && name !== 'guided-backprop';
      expect(r.delta === null).toBe(!hasDelta);
      if (hasDelta) expect(r.completenessError).toBeCloseTo(Math.abs(r.sum - (r.delta as number)), 4);
      if (name.startsWith('deeplift-r')) expect(r.completenessError).toBeLessThan(1e-3);
    }
    x.dispose();
    releaseDeepLiftCache(model);
    releaseLogitsFunction(model);
    model.dispose();
  });
});
