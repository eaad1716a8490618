import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../attribution/method-names';
import { releaseFixedSize } from './fixed-size';
import type { InputSpec } from './model-spec';
import { comparePhotoMethods } from './photo-compare';
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
      const r = await comparePhotoMethods(model, photo(), { input: SPEC, target: 2, contrast: null, reference, steps: 64, referenceCount: 4, methods: METHOD_NAMES });
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
      if (reference === 'shap') {
        // Over the photo panel's 8 references: Δt is their mean, as in the photo panel's DeepLIFT-SHAP.
        const shap = await explainPhoto(model, photo(), { input: SPEC, rule: 'rescale', target: 2, contrast: null, softmaxNormalize: false, reference: 'shap' });
        expect(byName['deeplift-shap']!.delta).toBeCloseTo(shap.delta, 4);
        expect(byName['deeplift-shap']!.sum).toBeCloseTo(shap.sum, 3);
      }
    }
    const ac = new AbortController();
    ac.abort();
    await expect(comparePhotoMethods(model, photo(), { input: SPEC, target: null, contrast: null, reference: 'black', steps: 8, referenceCount: 2, methods: METHOD_NAMES }, ac.signal)).rejects.toThrow();
    releaseFixedSize(model);
    model.dispose();
  });
});
