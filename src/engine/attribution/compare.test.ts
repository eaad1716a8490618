import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { releaseDeepLiftCache } from '../deeplift/deeplift';
import { compareMethods, eraseFirst, erasureCurves } from './compare';
import { releaseLogitsFunction } from './logits-function';
import { METHOD_NAMES } from './methods';
import { loadMnistModel, onCpuLeavingNoTensors, randomInput } from './testing/fixtures';

onCpuLeavingNoTensors();

describe('compare', () => {
  it('runs every method on the same (predicted) target and times it', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 51);
    const maps = await compareMethods(model, x, { steps: 4, referenceCount: 2 }, METHOD_NAMES);
    expect(maps.map((m) => m.method)).toEqual([...METHOD_NAMES]);
    expect(new Set(maps.map((m) => m.target)).size).toBe(1);
    for (const m of maps) expect(m.ms).toBeGreaterThanOrEqual(0);
    const controller = new AbortController();
    controller.abort();
    await expect(compareMethods(model, x, {}, METHOD_NAMES, controller.signal)).rejects.toThrow();
    x.dispose();
    releaseDeepLiftCache(model);
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('gives erasure curves whose last point matches erasing the order', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 52);
    const pixels = (await x.data()) as Float32Array;
    const black = new Float32Array(784);
    const { logOddsBefore, curves } = await erasureCurves(
      model, pixels, black, [28, 28, 1], 8, 3, { steps: 4 }, ['gradient-x-input', 'deeplift-rescale']);
    expect(curves).toHaveLength(2);
    for (const c of curves) {
      expect(c.change.length).toBe(158);
      expect(c.change[0]).toBe(0);
      const erased = eraseFirst(pixels, black, c.order, 157);
      let changed = 0;
      for (let i = 0; i < 784; i++) if (erased[i] !== pixels[i]) changed++;
      expect(changed).toBeLessThanOrEqual(Math.min(157, c.order.length));
      const t = tf.tidy(() => {
        const p = model.predict(tf.tensor(erased, [1, 28, 28, 1])) as tf.Tensor;
        return tf.sub(tf.log(tf.slice(p, [0, 8], [1, 1])), tf.log(tf.slice(p, [0, 3], [1, 1])));
      });
      const after = (await t.data())[0];
      t.dispose();
      expect(c.change[157]).toBeCloseTo(logOddsBefore - after, 2);
    }
    await expect(erasureCurves(model, pixels, black, [28, 28, 1], 3, 3, {}, ['gradient'])).rejects.toThrow(RangeError);
    x.dispose();
    releaseDeepLiftCache(model);
    releaseLogitsFunction(model);
    model.dispose();
  });
});
