import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache, type DeepLiftRule } from './deeplift';
import { getPlan } from './graph';
import { convLayers, layersOfPlan } from './layer-backward';
import { deepLiftLayerScores } from './layer-scores';
import { naiveDeepLift } from './testing/naive-deeplift';
import { disposeAndCheck, naivePrefixLength, relError, total } from './testing/naive-layers';
import { onCpuLeavingNoTensors } from '../attribution/testing/fixtures';
import { randomizeWeights, smallConvNet, stridedSameNet, toNaiveLayers } from './testing/model-fixtures';

const RULES: DeepLiftRule[] = ['rescale', 'revealcancel'];

onCpuLeavingNoTensors();

describe('deepLiftLayerScores (find_scores_layer = a hidden layer)', () => {
  for (const rule of RULES) {
    for (const [net, seed, layerIndex, target, contrast] of [
      [smallConvNet, 31, 0, 2, null], [smallConvNet, 32, 1, 1, 3], [stridedSameNet, 24, 1, 0, null], [stridedSameNet, 34, 2, 2, 1],
    ] as const) {
      it(`${rule}: ${net.name} layer ${layerIndex}, target ${target}${contrast === null ? '' : ` − ${contrast}`}: units match float64, Σ C = Δt`, async () => {
        const before = tf.memory().numTensors;
        const model = net(seed);
        const inShape = model.inputs[0].shape.slice(1) as number[];
        const x = tf.randomUniform([1, ...inShape], 0, 1, 'float32', seed);
        const x0 = tf.randomUniform([1, ...inShape], 0, 0.5, 'float32', seed + 1);
        const layer = model.layers[layerIndex];
        const layerShape = (layer.outputShape as number[]).slice(1);
        const channels = layerShape[2];
        const result = await deepLiftLayerScores(model, x, { rule, layer: layer.name, target, contrast, reference: x0, topChannels: channels });

        // Float64: the lower net gives the layer's activation for x and x₀; the upper net, run from those, its units' contributions.
        const layers = toNaiveLayers(model);
        const k = naivePrefixLength(model, layer.name);
        const size = layerShape.reduce((a, b) => a * b, 1);
        const lower = naiveDeepLift(layers.slice(0, k), Float64Array.from(x.dataSync()), Float64Array.from(x0.dataSync()), new Float64Array(size), rule);
        const numClasses = result.logits.length;
        const seedRow = Float64Array.from({ length: numClasses }, (_, j) => (j === target ? 1 : 0) - (j === contrast ? 1 : 0));
        const upper = naiveDeepLift(layers.slice(k), lower.logits, lower.refLogits, seedRow, rule);
        expect(result.layerShape).toEqual(layerShape);
        expect(relError(result.unitContributions, upper.contribs)).toBeLessThan(2e-5);
        const naiveChannels = Array.from({ length: channels }, (_, c) => upper.contribs.reduce((s, v, i) => s + (i % channels === c ? v : 0), 0));
        expect(relError(result.channelContributions, naiveChannels)).toBeLessThan(2e-5);

        // Summation-to-delta through the hidden layer, per unit and per channel.
        expect(Math.abs(result.delta)).toBeGreaterThan(1e-3);
        expect(result.sum).toBeCloseTo(result.delta, 4);
        expect(total(result.channelContributions)).toBeCloseTo(result.delta, 4);
        // Largest first.
        for (let i = 1; i < channels; i++) {
          expect(result.channelContributions[result.order[i - 1]]).toBeGreaterThanOrEqual(result.channelContributions[result.order[i]] - 1e-6);
        }
        // The input-space maps: each sums to its channel's C, and all of them add up to the plain input contributions.
        const plain = await deepLift(model, x, { rule, target, contrast, reference: x0 });
        const added = new Float32Array(plain.attributions.length);
        result.topChannels.forEach((c, j) => {
          expect(total(result.topInputMaps[j])).toBeCloseTo(result.channelContributions[c], 4);
          result.topInputMaps[j].forEach((v, i) => { added[i] += v; });
        });
        expect(relError(added, plain.attributions)).toBeLessThan(1e-4);
        expect(result.delta).toBeCloseTo(plain.delta, 5);

        disposeAndCheck(before, model, x, x0);
      });
    }
  }

  it('defaults to the predicted class and 4 top channels; softmax normalisation explains t − mean t', async () => {
    const model = smallConvNet(41);
    const x = tf.randomUniform([1, 8, 8, 2], 0, 1, 'float32', 41);
    const name = model.layers[0].name;
    const r = await deepLiftLayerScores(model, x, { rule: 'rescale', layer: name });
    const plain = await deepLift(model, x, { rule: 'rescale' });
    expect(r.target).toBe(plain.target);
    expect(r.topChannels).toHaveLength(3); // the layer has 3 channels
    expect(r.topInputMaps).toHaveLength(3);
    const norm = await deepLiftLayerScores(model, x, { rule: 'rescale', layer: name, target: 1, softmaxNormalize: true, topChannels: 1 });
    const normPlain = await deepLift(model, x, { rule: 'rescale', target: 1, softmaxNormalize: true });
    expect(norm.delta).toBeCloseTo(normPlain.delta, 5);
    expect(norm.sum).toBeCloseTo(normPlain.delta, 4);
    // The map goes to the channel with the largest |C|, for or against the target.
    const largest = Array.from(norm.channelContributions.keys()).sort((a, b) => Math.abs(norm.channelContributions[b]!) - Math.abs(norm.channelContributions[a]!))[0];
    expect(norm.topChannels).toEqual([largest]);
    await expect(deepLiftLayerScores(model, x, { rule: 'rescale', layer: name, target: 9 })).rejects.toThrow(RangeError);
    // Chosen channels get the same maps as when they are ranked on the device.
    const all = await deepLiftLayerScores(model, x, { rule: 'rescale', layer: name, target: 1, topChannels: 3 });
    const chosen = await deepLiftLayerScores(model, x, { rule: 'rescale', layer: name, target: 1, channels: [all.topChannels[2]!, all.topChannels[0]!] });
    expect(chosen.topChannels).toEqual([all.topChannels[2], all.topChannels[0]]);
    expect(Array.from(chosen.topInputMaps[0]!)).toEqual(Array.from(all.topInputMaps[2]!));
    expect(Array.from(chosen.topInputMaps[1]!)).toEqual(Array.from(all.topInputMaps[0]!));
    await expect(deepLiftLayerScores(model, x, { rule: 'rescale', layer: name, channels: [3] })).rejects.toThrow(/channel 3 is not a channel/);
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('on a branching model: the concat is a cut (Σ C = Δt), one branch is not (it carries part of Δt)', async () => {
    const before = tf.memory().numTensors;
    const input = tf.input({ shape: [6, 6, 2] });
    const stem = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(input) as tf.SymbolicTensor;
    const a = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu', name: 'branch_a' }).apply(stem) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'branch_b' }).apply(stem) as tf.SymbolicTensor;
    const mixed = tf.layers.concatenate({ name: 'mixed', axis: -1 }).apply([a, b]) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(mixed) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, name: 'logits' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeWeights(model, 51);
    const cuts = Object.fromEntries(layersOfPlan(getPlan(model)).map((l) => [l.name, l.isCut]));
    expect(cuts).toMatchObject({ stem: true, branch_a: false, branch_b: false, mixed: true });
    expect(convLayers(model).map((l) => `${l.name} ${l.className} [${l.shape}] ${l.isCut}`)).toEqual([
      'stem Conv2D [6,6,3] true', 'branch_a Conv2D [6,6,2] false', 'branch_b Conv2D [6,6,2] false', 'mixed Concatenate [6,6,4] true',
    ]);
    const x = tf.randomUniform([1, 6, 6, 2], 0, 1, 'float32', 52);
    for (const rule of RULES) {
      const whole = await deepLiftLayerScores(model, x, { rule, layer: 'mixed', target: 0 });
      expect(whole.sum).toBeCloseTo(whole.delta, 4);
      const stemScores = await deepLiftLayerScores(model, x, { rule, layer: 'stem', target: 0 });
      expect(stemScores.sum).toBeCloseTo(whole.delta, 4);
      const branchA = await deepLiftLayerScores(model, x, { rule, layer: 'branch_a', target: 0 });
      const branchB = await deepLiftLayerScores(model, x, { rule, layer: 'branch_b', target: 0 });
      // The two branches' channels are the concat's channels.
      expect(branchA.sum + branchB.sum).toBeCloseTo(whole.delta, 4);
      expect(Array.from(branchA.channelContributions)).toEqual(Array.from(whole.channelContributions.slice(0, 2)).map((v) => expect.closeTo(v, 5)));
    }
    x.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
