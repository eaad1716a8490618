import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache } from '../deeplift/deeplift';
import { photoReferences, preprocessPhoto, SHAP_REFERENCE_COUNT, sumChannels } from '../image/photo-preprocess';
import type { InputSpec } from './model-spec';
import { releaseFixedSize } from './fixed-size';
import { explainPhoto, photoConvLayers, photoLayerScores, topClasses } from './photo-explain';
import { tinyMobileNet, tinyPhotoModel } from './testing/tiny-models';

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(baseline));

const SPEC: InputSpec = { height: 8, width: 8, channels: 3, scaling: 'signed', resize: 'crop', isDynamic: false };

function photo() {
  const width = 16;
  const height = 12;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([(i * 37) % 256, (i * 11) % 256, (i * 5) % 256, 255], i * 4);
  return { rgba, width, height };
}

describe('explainPhoto', () => {
  it('ranks the top classes most probable first', () => {
    expect(topClasses([0.1, 0.5, 0.1, 0.3], 3)).toEqual([{ index: 1, probability: 0.5 }, { index: 3, probability: 0.3 }, { index: 0, probability: 0.1 }]);
  });

  it('DeepLIFT-SHAP is the mean of DeepLIFT over 8 blurred and noisy references, Σ = mean Δt, for both rules', async () => {
    const model = tinyPhotoModel();
    const values = preprocessPhoto(photo(), SPEC);
    const refs = photoReferences('shap', values, SPEC);
    expect(refs).toHaveLength(SHAP_REFERENCE_COUNT);
    expect(photoReferences('shap', values, SPEC)[6]).toEqual(refs[6]); // seeded
    for (const rule of ['rescale', 'revealcancel'] as const) {
      const shap = await explainPhoto(model, photo(), { input: SPEC, rule, target: 1, contrast: 3, softmaxNormalize: false, reference: 'shap' });
      const mean = new Float64Array(64);
      let meanDelta = 0;
      const x = tf.tensor4d(values, [1, 8, 8, 3]);
      for (const r of refs) {
        const x0 = tf.tensor4d(r, [1, 8, 8, 3]);
        const one = await deepLift(model, x, { rule, target: 1, contrast: 3, reference: x0 });
        x0.dispose();
        sumChannels(one.attributions, 3).forEach((v, i) => (mean[i] += v / refs.length));
        meanDelta += one.delta / refs.length;
      }
      x.dispose();
      const worst = Math.max(...Array.from(mean, (m, i) => Math.abs(m - shap.pixelContributions[i]!)));
      expect(worst).toBeLessThanOrEqual(1e-6 * Math.max(1, ...Array.from(mean, Math.abs)));
      expect(shap.delta).toBeCloseTo(meanDelta, 6);
      const total = shap.pixelContributions.reduce((a, b) => a + b, 0);
      expect(Math.abs(total - shap.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(shap.delta)));
    }
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('without a target every reference explains the class predicted for the photo', async () => {
    const model = tinyPhotoModel();
    const r = await explainPhoto(model, photo(), { input: SPEC, rule: 'rescale', target: null, contrast: null, softmaxNormalize: true, reference: 'shap' });
    expect(r.target).toBe(r.predicted);
    expect(r.top[0]!.index).toBe(r.predicted);
    releaseDeepLiftCache(model);
    model.dispose();
  });
});

describe('photoLayerScores ("Which filters decided" on a photo model)', () => {
  const total = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

  it('on a MobileNetV2-style DAG: cuts sum to the photo\'s Δt, the residual branch does not; maps add to the channels', async () => {
    const model = tinyMobileNet(16, 5);
    const spec: InputSpec = { ...SPEC, height: 16, width: 16 };
    const layers = await photoConvLayers(model, spec);
    expect(layers.map((l) => [l.name, l.isCut])).toEqual([
      ['stem_conv', true], ['expand_conv', false], ['depthwise', false], ['project_conv', false], ['block_add', true], ['head_conv', true],
    ]);
    for (const reference of ['blurred', 'shap'] as const) {
      const plain = await explainPhoto(model, photo(), { input: spec, rule: 'rescale', target: 2, contrast: null, softmaxNormalize: false, reference });
      for (const l of layers) {
        const r = await photoLayerScores(model, photo(), { input: spec, rule: 'rescale', target: 2, contrast: null, softmaxNormalize: false, reference, layer: l.name, topChannels: 3 });
        expect(r.layerShape).toEqual(l.shape);
        expect(r.delta).toBeCloseTo(plain.delta, 5);
        expect(total(r.channelContributions)).toBeCloseTo(r.sum, 4);
        if (l.isCut) expect(Math.abs(r.sum - plain.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(plain.delta)));
        expect(r.topChannels).toEqual(Array.from(r.channelContributions.keys()).sort((a, b) => Math.abs(r.channelContributions[b]!) - Math.abs(r.channelContributions[a]!)).slice(0, 3));
        for (let i = 1; i < r.order.length; i++) expect(r.channelContributions[r.order[i - 1]!]!).toBeGreaterThanOrEqual(r.channelContributions[r.order[i]!]!);
        r.topChannels.forEach((c, k) => {
          expect(r.topInputMaps[k]).toHaveLength(256);
          expect(total(r.topInputMaps[k]!)).toBeCloseTo(r.channelContributions[c]!, 4);
        });
      }
      // The residual branch carries part of Δt, the skip path the rest.
      const branch = await photoLayerScores(model, photo(), { input: spec, rule: 'rescale', target: 2, contrast: null, softmaxNormalize: false, reference, layer: 'project_conv', topChannels: 0 });
      expect(Math.abs(branch.sum - plain.delta)).toBeGreaterThan(1e-3);
    }
    await expect(photoLayerScores(model, photo(), { input: spec, rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: 'black', layer: 'logits', topChannels: 1 })).rejects.toThrow(/no convolutional layer named "logits"/);
    releaseDeepLiftCache(model);
    model.dispose();
  });

  it('a dynamic-input model is scored at the chosen size', async () => {
    const model = tinyMobileNet(null, 4);
    const spec: InputSpec = { ...SPEC, height: 12, width: 20, isDynamic: true };
    const layers = await photoConvLayers(model, spec);
    expect(layers[0]!.shape).toEqual([6, 10, 8]);
    const r = await photoLayerScores(model, photo(), { input: spec, rule: 'revealcancel', target: null, contrast: null, softmaxNormalize: true, reference: 'grey', layer: 'head_conv', topChannels: 2 });
    expect(r.height * r.width).toBe(240);
    expect(r.topInputMaps[0]).toHaveLength(240);
    expect(Math.abs(total(r.channelContributions) - r.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.delta)));
    expect(Math.abs(r.delta)).toBeGreaterThan(0);
    releaseFixedSize(model);
    model.dispose();
  });
});
