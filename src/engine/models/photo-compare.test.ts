import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../attribution/method-names';
import { releaseFixedSize } from './fixed-size';
import type { InputSpec } from './model-spec';
import { comparePhotoMethods, photoBatchRows } from './photo-compare';
import { explainPhoto } from './photo-explain';
import { tinyMobileNet } from './testing/tiny-models';

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(baseline));

const SPEC: InputSpec = { height: 12, width: 16, channels: 3, scaling: 'signed', resize: 'crop', isDynamic: true };
const photo = () => ({ rgba: Uint8ClampedArray.from({ length: 20 * 15 * 4 }, (_, i) => (i * 29) % 256), width: 20, height: 15 });
const total = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

describe('comparePhotoMethods (the Compare tab on a photo model)', () => {
  it('every method on a MobileNetV2-style DAG with a dynamic input: DeepLIFT Σ = Δt as explainPhoto, IG close, the others without Δt', async () => {
    const model = tinyMobileNet(null, 4);
    for (const reference of ['blurred', 'shap'] as const) {
      const r = await comparePhotoMethods(model, photo(), { input: SPEC, target: 2, contrast: null, reference, steps: 64, methods: METHOD_NAMES });
      expect(r.maps.map((m) => m.method)).toEqual([...METHOD_NAMES]);
      expect([r.height, r.width, r.seen.length, r.target]).toEqual([12, 16, 12 * 16 * 4, 2]);
      expect(r.referenceKind).toBe(reference === 'shap' ? 'black' : 'blurred');
      for (const m of r.maps) {
        expect(m.attributions).toHaveLength(192);
        expect(total(m.attributions)).toBeCloseTo(m.sum, 3);
      }
      const byName = Object.fromEntries(r.maps.map((m) => [m.method, m]));
      expect(byName.gradient!.delta).toBeNull();
      const plain = await explainPhoto(model, photo(), { input: SPEC, rule: 'rescale', target: 2, contrast: null, softmaxNormalize: false, reference: reference === 'shap' ? 'black' : 'blurred' });
      const lift = byName['deeplift-rescale']!;
      expect(lift.delta).toBeCloseTo(plain.delta, 4);
      expect(lift.completenessError!).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(plain.delta)));
      for (let i = 0; i < 192; i++) expect(lift.attributions[i]).toBeCloseTo(plain.pixelContributions[i]!, 4);
      expect(byName['deeplift-revealcancel']!.completenessError!).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(plain.delta)));
      expect(byName['integrated-gradients']!.completenessError!).toBeLessThanOrEqual(0.05 * Math.max(1, Math.abs(plain.delta)));
      // Over the photo panel's 8 references (in the model's units): Δt is their mean, as in the photo panel's DeepLIFT-SHAP.
      const shap = await explainPhoto(model, photo(), { input: SPEC, rule: 'rescale', target: 2, contrast: null, softmaxNormalize: false, reference: 'shap' });
      expect(byName['deeplift-shap']!.delta).toBeCloseTo(shap.delta, 4);
      expect(byName['deeplift-shap']!.sum).toBeCloseTo(shap.sum, 3);
    }
    // A large input: DeepLIFT-SHAP and integrated gradients run in small batches (3 at 160 × 160 × 3 → 6 rows), same results.
    const big: InputSpec = { ...SPEC, height: 160, width: 160 };
    expect(photoBatchRows(160 * 160 * 3)).toBe(6);
    expect(photoBatchRows(28 * 28)).toBe(64);
    const chunked = await comparePhotoMethods(model, photo(), { input: big, target: 1, contrast: 3, reference: 'grey', steps: 13, methods: ['integrated-gradients', 'deeplift-shap'] });
    const shapBig = await explainPhoto(model, photo(), { input: big, rule: 'rescale', target: 1, contrast: 3, softmaxNormalize: false, reference: 'shap' });
    const [ig, shapMap] = chunked.maps;
    expect(shapMap!.delta).toBeCloseTo(shapBig.delta, 4);
    expect(shapMap!.sumStd).toBeGreaterThan(0);
    let worst = 0;
    for (let i = 0; i < shapBig.pixelContributions.length; i++) worst = Math.max(worst, Math.abs(shapMap!.attributions[i]! - shapBig.pixelContributions[i]!));
    expect(worst).toBeLessThan(1e-5);
    expect(ig!.method).toBe('integrated-gradients');
    expect(Math.abs(ig!.delta! - shapBig.delta)).toBeGreaterThan(0); // grey, not the SHAP set
    const ac = new AbortController();
    ac.abort();
    await expect(comparePhotoMethods(model, photo(), { input: SPEC, target: null, contrast: null, reference: 'black', steps: 8, methods: METHOD_NAMES }, ac.signal)).rejects.toThrow();
    releaseFixedSize(model);
    model.dispose();
  });
});
