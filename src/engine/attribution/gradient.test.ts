import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { stridedSameNet } from '../deeplift/testing/model-fixtures';
import { gradientSaliency } from './gradient';
import { logitsFunction, releaseLogitsFunction } from './logits-function';
import { autodiffGradient, loadMnistModel, maxAbs, maxAbsDiff, onCpuLeavingNoTensors, randomInput, tinyReluNet } from './testing/fixtures';

onCpuLeavingNoTensors();

describe('gradient (saliency)', () => {
  it('is |∂t_k/∂x| from tfjs autodiff on a dense and a strided conv net', async () => {
    for (const model of [tinyReluNet(3), stridedSameNet(5)]) {
      const shape = model.inputs[0].shape.slice(1) as number[];
      const x = randomInput(shape, 11);
      for (const k of [0, 2]) {
        const expected = (await autodiffGradient(model, x, k)).map(Math.abs);
        const r = await gradientSaliency(model, x, { target: k });
        expect(r.target).toBe(k);
        expect(maxAbs(expected)).toBeGreaterThan(0);
        expect(maxAbsDiff(r.attributions, expected)).toBeLessThan(1e-5);
        expect(r.delta).toBeNull();
        expect(r.completenessError).toBeNull();
      }
      x.dispose();
      releaseLogitsFunction(model);
      model.dispose();
    }
  });

  it('with a contrast is |∂t_k/∂x| − |∂t_j/∂x|, and defaults to the predicted class', async () => {
    const model = tinyReluNet(7);
    const x = randomInput([4], 2);
    const [a, b] = [await gradientSaliency(model, x, { target: 0 }), await gradientSaliency(model, x, { target: 1 })];
    const diff = await gradientSaliency(model, x, { target: 0, contrast: 1 });
    expect(maxAbsDiff(diff.attributions, a.attributions.map((v, i) => v - b.attributions[i]))).toBeLessThan(1e-6);
    const best = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(1));
    const predicted = (await best.data())[0];
    best.dispose();
    expect((await gradientSaliency(model, x)).target).toBe(predicted);
    await expect(gradientSaliency(model, x, { target: 3 })).rejects.toThrow(RangeError);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });

  it('runs on the MNIST model and targets the logits, not the softmax', async () => {
    const model = await loadMnistModel();
    const x = randomInput([28, 28, 1], 5);
    const r = await gradientSaliency(model, x, { target: 3 });
    expect(r.attributions.length).toBe(784);
    expect(r.logits.length).toBe(10);
    // Softmax outputs sum to 1; logits in general do not.
    expect(Math.abs(r.logits.reduce((s, v) => s + v, 0) - 1)).toBeGreaterThan(1e-3);
    expect(Math.min(...r.attributions)).toBeGreaterThanOrEqual(0);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });
});

describe('the cached logits function', () => {
  it('survives being built inside a tf.tidy', async () => {
    const model = tinyReluNet(13);
    const x = randomInput([4], 1);
    tf.tidy(() => {
      logitsFunction(model)(x);
    });
    const r = await gradientSaliency(model, x, { target: 0 });
    const expected = (await autodiffGradient(model, x, 0)).map(Math.abs);
    expect(maxAbsDiff(r.attributions, expected)).toBeLessThan(1e-5);
    x.dispose();
    releaseLogitsFunction(model);
    model.dispose();
  });
});
