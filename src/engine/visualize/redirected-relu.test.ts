import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onCpuCheckingEachTestForLeaks } from './cpu-no-leaks.testing';
import { DEFAULT_VISUALIZE_PARAMS } from './params';
import { redirectedRelu, withRedirectedRelu } from './redirected-relu';
import { visualizeToImage } from './visualize';

describe('redirected ReLU', () => {
  onCpuCheckingEachTestForLeaks();

  it('is a ReLU forwards; passes the ordinary gradient when any gets through, else the upward part', () => {
    const x = tf.tensor1d([-2, -1, 3]);
    const y = redirectedRelu(x);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 3]);
    // Loss gradient dy = [-1, 1, -1]: the unit at 3 passes it, so the ordinary ReLU gradient is used.
    const dy = tf.tensor1d([-1, 1, -1]);
    const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(redirectedRelu(t), dy)))(x);
    expect(Array.from(g1.dataSync(), (v) => v + 0)).toEqual([0, 0, -1]);
    // All units off: the ordinary gradient is all zero; dy < 0 (descent raises the unit) passes, dy > 0 stays blocked.
    const off = tf.tensor1d([-2, -1, -3]);
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(redirectedRelu(t), dy)))(off);
    expect(Array.from(g2.dataSync(), (v) => v + 0)).toEqual([-1, 0, -1]);
    tf.dispose([x, y, dy, g1, off, g2]);
  });

  it('lets a visualisation switch on a channel that is off everywhere at the start, and restores the model', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    // r + g + b − 2.5: off on the mid-grey start (1.5 − 2.5 < 0), so its ordinary gradient is zero; on for bright pixels.
    const conv = tf.layers.conv2d({ name: 'c', filters: 2, kernelSize: 1, activation: 'relu', kernelInitializer: 'ones', biasInitializer: tf.initializers.constant({ value: -2.5 }) });
    const m = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
    const params = { ...DEFAULT_VISUALIZE_PARAMS, layer: 'c', channel: 1, size: 16, steps: 30, learningRate: 0.1 };
    const r = await visualizeToImage(m, { scale: 1 / 255, offset: 0, min: 0, max: 1 }, params);
    expect(r.objective).toBeGreaterThan(0);
    const patched = conv as unknown as { call: unknown };
    const original = patched.call;
    expect(withRedirectedRelu(m, () => patched.call)).not.toBe(original);
    expect(patched.call).toBe(original);
    // Patched or not, the forward pass is the same.
    const x = tf.randomUniform([1, 3, 3, 3], 0, 1, 'float32', 1);
    const plain = m.predict(x) as tf.Tensor;
    const redirected = withRedirectedRelu(m, () => m.predict(x) as tf.Tensor);
    expect(Array.from(redirected.dataSync())).toEqual(Array.from(plain.dataSync()));
    tf.dispose([x, plain, redirected]);
    m.dispose();
  });
});
