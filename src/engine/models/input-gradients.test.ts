import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { dreamDagModel } from './testing/dream-dag';
import { tinyMobileNet } from './testing/tiny-models';
import { userDreamModel } from './user-dream-model';

/** ∂ mean(layer) / ∂ image of `model`'s sub-model at `layer`, as plain numbers. */
async function inputGradient(model: tf.LayersModel, layer: string, x: tf.Tensor4D, channel?: number): Promise<Float32Array> {
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
  const g = tf.grad((t: tf.Tensor) => {
    const out = sub.apply(t) as tf.Tensor4D;
    return tf.mean(channel === undefined ? out : tf.slice(out, [0, 0, 0, channel], [-1, -1, -1, 1]));
  })(x);
  const values = new Float32Array(await g.data());
  g.dispose();
  return values;
}

function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

const image = () => tf.randomUniform([1, 20, 24, 3], 0, 1, 'float32', 9) as tf.Tensor4D;

describe('input-only gradients of user dream models', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('equal tfjs’ own autodiff of the original model (CPU): folded BN, linear projection, depthwise', async () => {
    await tf.setBackend('cpu');
    const start = tf.memory().numTensors;
    const original = tinyMobileNet(null);
    const dream = await userDreamModel(tinyMobileNet(null), 'unit');
    const x = image();
    for (const layer of ['stem_relu', 'depthwise_relu', 'project_conv', 'head_relu']) {
      // The original's project_conv output is before its BN; the dream target is the folded conv (= project_bn's output).
      const want = await inputGradient(original, layer === 'project_conv' ? 'project_bn' : layer, x);
      const got = await inputGradient(dream.trunk, layer, x);
      expect(maxRelativeDiff(got, want), layer).toBeLessThan(1e-4);
      expect(want.some((v) => v !== 0)).toBe(true);
    }
    x.dispose();
    original.dispose();
    dream.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('work on WASM (where Conv2DBackpropFilter and the depthwise input gradient are missing) and agree with CPU', async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    const plain = tinyMobileNet(null);
    const x0 = image();
    // What failed before: tfjs-layers' own gradient through a linear Conv2D or a depthwise conv on WASM.
    await expect(inputGradient(plain, 'project_bn', x0)).rejects.toThrow(/not registered for backend 'wasm'/);
    plain.dispose();
    x0.dispose();
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const start = tf.memory().numTensors;
      for (const [name, build, layer] of [
        ['mobilenet', () => tinyMobileNet(32), 'head_relu'],
        ['dag', () => dreamDagModel(16), 'add_bn'],
      ] as const) {
        const dream = await userDreamModel(build(), 'signed');
        const x = image();
        (results[name] ??= []).push(await inputGradient(dream.trunk, layer, x, 2));
        x.dispose();
        dream.dispose();
      }
      expect(tf.memory().numTensors, backend).toBe(start);
    }
    // Making a model with valid convs dreamable on WASM (its smallest side found without running an empty conv,
    // which corrupts WASM's memory) leaves the backend working.
    await tf.setBackend('wasm');
    const valid = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 3, kernelSize: 4, strides: 2 }), tf.layers.conv2d({ filters: 4, kernelSize: 4, strides: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    const grey = await userDreamModel(valid, 'unit');
    expect(grey.minSide).toBe(10);
    const x = image();
    expect((await inputGradient(grey.trunk, grey.layerNames[1]!, x)).some((v) => v !== 0)).toBe(true);
    x.dispose();
    grey.dispose();
    for (const [name, [wasm, cpu]] of Object.entries(results)) {
      expect(maxRelativeDiff(wasm!, cpu!), name).toBeLessThan(1e-3);
      expect(cpu!.some((v) => v !== 0), name).toBe(true);
    }
  });
});
