import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache } from '../deeplift/deeplift';
import { logitsFunction, releaseLogitsFunction } from './logits-function';

/** Dense 3→4 relu → Dense 4→2 with a final activation, fixed weights. */
function tinyNet(finalActivation: 'sigmoid' | 'softmax' | 'tanh', separateLayer: boolean): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', weights: [
    tf.tensor2d([[0.5, -1, 0.3, 0.8], [1.2, 0.4, -0.7, 0.1], [-0.6, 0.9, 0.2, -0.3]]), tf.tensor1d([0.1, 0, -0.2, 0.05]),
  ] }));
  model.add(tf.layers.dense({ units: 2, activation: separateLayer ? 'linear' : finalActivation, weights: [
    tf.tensor2d([[1, -0.5], [-0.8, 0.7], [0.6, 0.2], [-0.4, 1.1]]), tf.tensor1d([0.3, -0.1]),
  ] }));
  if (separateLayer) model.add(tf.layers.activation({ activation: finalActivation }));
  return model;
}

describe('logitsFunction', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [activation, separate] of [['sigmoid', false], ['sigmoid', true], ['tanh', false], ['softmax', true]] as const) {
    it(`drops a final ${activation}${separate ? ' layer' : ''} like DeepLIFT: the same pre-activation logits`, async () => {
      const model = tinyNet(activation, separate);
      const x = tf.tensor2d([[0.9, 0.2, 0.4]]);
      const before = tf.memory().numTensors;
      const logits = tf.tidy(() => logitsFunction(model)(x));
      const ours = Array.from(await logits.data());
      logits.dispose();
      const d = await deepLift(model, x, { rule: 'rescale', target: 0 });
      ours.forEach((v, i) => expect(v).toBeCloseTo(d.logits[i]!, 6));
      // And they really are pre-activation: the model's output is the activation of them.
      const predicted = model.predict(x) as tf.Tensor;
      const out = Array.from(await predicted.data());
      predicted.dispose();
      expect(out[0]).not.toBeCloseTo(ours[0]!, 3);
      releaseDeepLiftCache(model);
      releaseLogitsFunction(model);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }
});
