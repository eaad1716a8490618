import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { releaseDeepLiftCache, type DeepLiftRule } from './deeplift';
import { deepLiftHiddenTarget } from './hidden-target';
import { naiveDeepLift } from './testing/naive-deeplift';
import { disposeAndCheck, naivePrefixLength, relError } from './testing/naive-layers';
import { onCpuLeavingNoTensors } from '../attribution/testing/fixtures';
import { smallConvNet, stridedSameNet, toNaiveLayers } from './testing/model-fixtures';
import { UnsupportedLayerError } from './unsupported-layer-error';

const RULES: DeepLiftRule[] = ['rescale', 'revealcancel'];

/** The naive seed for the mean of `channel` (or all) of a flattened NHWC layer of `size` values and `channels` channels. */
function naiveMeanSeed(size: number, channels: number, channel: number | null): Float64Array {
  const spatial = size / channels;
  return Float64Array.from({ length: size }, (_, i) =>
    channel === null ? 1 / size : i % channels === channel ? 1 / spatial : 0);
}

onCpuLeavingNoTensors();

describe('deepLiftHiddenTarget against the naive float64 transcription', () => {
  for (const rule of RULES) {
    for (const [net, seed, layerIndex, channel] of [
      [smallConvNet, 21, 0, 2], [smallConvNet, 22, 1, 3], [smallConvNet, 23, 1, null], [stridedSameNet, 24, 1, 2],
    ] as const) {
      it(`${rule}: ${net.name} layer ${layerIndex} ${channel === null ? 'whole layer' : `channel ${channel}`}: pixel by pixel, Σ C = Δt`, async () => {
        const before = tf.memory().numTensors;
        const model = net(seed);
        const inShape = model.inputs[0].shape.slice(1) as number[];
        const x = tf.randomUniform([1, ...inShape], 0, 1, 'float32', seed);
        const x0 = tf.randomUniform([1, ...inShape], 0, 0.5, 'float32', seed + 1);
        const layer = model.layers[layerIndex];
        const result = await deepLiftHiddenTarget(model, x, { rule, layer: layer.name, channel, reference: x0 });

        const layerShape = (layer.outputShape as number[]).slice(1);
        expect(result.layerShape).toEqual(layerShape);
        const size = layerShape.reduce((a, b) => a * b, 1);
        const lower = toNaiveLayers(model).slice(0, naivePrefixLength(model, layer.name));
        const naive = naiveDeepLift(lower, Float64Array.from(x.dataSync()), Float64Array.from(x0.dataSync()),
          naiveMeanSeed(size, layerShape[2], channel), rule);
        expect(relError(result.attributions, naive.contribs)).toBeLessThan(2e-5);
        const mean = (v: Float64Array) => v.reduce((s, a, i) => s + a * naiveMeanSeed(size, layerShape[2], channel)[i], 0);
        expect(result.value).toBeCloseTo(mean(naive.logits), 5);
        expect(result.referenceValue).toBeCloseTo(mean(naive.refLogits), 5);
        expect(Math.abs(result.delta)).toBeGreaterThan(1e-3);
        expect(result.sum).toBeCloseTo(result.delta, 4);

        disposeAndCheck(before, model, x, x0);
      });
    }
  }

  it('a black reference by default, and clear errors for an unknown layer or channel', async () => {
    const model = smallConvNet(5);
    const x = tf.randomUniform([1, 8, 8, 2], 0, 1, 'float32', 5);
    const black = tf.zeros([1, 8, 8, 2]);
    const name = model.layers[1].name;
    const byDefault = await deepLiftHiddenTarget(model, x, { rule: 'rescale', layer: name, channel: 0 });
    const explicit = await deepLiftHiddenTarget(model, x, { rule: 'rescale', layer: name, channel: 0, reference: black });
    expect(Array.from(byDefault.attributions)).toEqual(Array.from(explicit.attributions));
    await expect(deepLiftHiddenTarget(model, x, { rule: 'rescale', layer: 'nope', channel: 0 })).rejects.toThrow(UnsupportedLayerError);
    await expect(deepLiftHiddenTarget(model, x, { rule: 'rescale', layer: name, channel: 4 })).rejects.toThrow(/channel 4 is not in \[0, 4\)/);
    x.dispose();
    black.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });
});
