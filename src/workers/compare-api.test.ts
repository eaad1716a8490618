import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../engine/backend';
import { releaseDeepLiftCache } from '../engine/deeplift/deeplift';
import { releaseLogitsFunction } from '../engine/attribution/logits-function';
import { METHOD_NAMES } from '../engine/attribution/methods';
import { loadMnistModel } from '../engine/attribution/testing/fixtures';
import { createCompareApi } from './compare-api';
import { isAbortError } from './worker-handle';

const CPU: BackendInfo = { name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false };
let model: tf.LayersModel;
let baseline = 0;

/** A "7"-ish stroke. */
function seven(): Float32Array {
  const p = new Float32Array(784);
  for (let x = 8; x < 21; x++) p[6 * 28 + x] = 1;
  for (let y = 7; y < 23; y++) p[y * 28 + 20 - Math.floor((y - 7) / 2)] = 1;
  return p;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
  model = await loadMnistModel();
});
afterAll(() => {
  releaseDeepLiftCache(model);
  releaseLogitsFunction(model);
  model.dispose();
  expect(tf.memory().numTensors).toBe(baseline);
});

const env = () => ({ startBackend: async () => CPU, loadModel: async () => model });

describe('compare worker API', () => {
  it('compares every method on one digit with transferable maps and timings', async () => {
    const api = createCompareApi(env());
    const r = await api.compare(1, seven(), {
      target: null, contrast: null, reference: { kind: 'black' }, steps: 4, references: 2, methods: [...METHOD_NAMES],
    });
    expect(r.maps.map((m) => m.method)).toEqual([...METHOD_NAMES]);
    expect(r.target).toBe(r.predicted);
    for (const m of r.maps) {
      expect(m.attributions).toBeInstanceOf(Float32Array);
      expect(m.attributions.length).toBe(784);
      expect(m.ms).toBeGreaterThanOrEqual(0);
    }
    expect(r.maps.find((m) => m.method === 'deeplift-shap')?.sumStd).not.toBeNull();
    expect(r.maps.find((m) => m.method === 'gradient')?.delta).toBeNull();
  });

  it('returns erasure curves for 8 → 3 and rejects equal classes and bad input', async () => {
    const api = createCompareApi(env());
    const r = await api.erase(2, seven(), { original: 8, target: 3, steps: 4, references: 2, methods: ['gradient', 'deeplift-rescale'] });
    expect(r.curves.map((c) => c.method)).toEqual(['gradient', 'deeplift-rescale']);
    for (const c of r.curves) {
      expect(c.change.length).toBe(158);
      expect(c.order.length).toBeLessThanOrEqual(157);
    }
    expect(() => api.erase(3, seven(), { original: 3, target: 3, steps: 4, references: 2, methods: ['gradient'] })).toThrow(/different/);
    expect(() => api.compare(4, new Float32Array(5), {
      target: null, contrast: null, reference: { kind: 'black' }, steps: 4, references: 2, methods: ['gradient'],
    })).toThrow(/784/);
  });

  it('rejects a job cancelled before it starts with an AbortError', async () => {
    const api = createCompareApi(env());
    api.cancel(9);
    const err = await api.erase(9, seven(), { original: 8, target: 3, steps: 4, references: 2, methods: ['gradient'] }).catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
  });
});
