import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainPhoto } from '../engine/models/photo-explain';
import { modelFiles, textFile, tinyMobileNet, tinyPhotoModel, unsupportedLayerModel } from '../engine/models/testing/tiny-models';
import { createModelRegistry, type ModelRegistryEnvironment } from './model-registry';

/** An environment that keeps models in memory, as IndexedDB does in the browser. */
function memoryEnvironment(): ModelRegistryEnvironment & { kept: Map<string, tf.io.ModelArtifacts>; backend: string } {
  const kept = new Map<string, tf.io.ModelArtifacts>();
  const env = {
    kept,
    backend: 'cpu',
    loadBuiltin: () => null,
    async persist(id: string, model: tf.LayersModel) {
      await model.save(tf.io.withSaveHandler(async (a) => {
        kept.set(id, a);
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } };
      }));
    },
    async restore(id: string) {
      const a = kept.get(id);
      if (!a) throw new Error(`no model ${id}`);
      return tf.loadLayersModel(tf.io.fromMemory(a));
    },
    async forget(id: string) {
      kept.delete(id);
    },
    activeBackend: () => env.backend,
  };
  return env;
}

/** A 12×10 RGBA photo with a bright square. */
function photo() {
  const width = 12;
  const height = 10;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const lit = x > 3 && x < 9 && y > 2 && y < 8;
    rgba.set([lit ? 240 : 20, lit ? 200 : 40, (x * 20) % 256, 255], (y * width + x) * 4);
  }
  return { rgba, width, height };
}

let baseline = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(baseline));

describe('model registry', () => {
  it('adds a model with labels, keeps it, restores it after a "reload" and explains a photo with Σ C = Δt', async () => {
    const built = tinyPhotoModel();
    const files = [...(await modelFiles(built)), textFile('labels.txt', 'ant\nbee\ncat\ndog\nemu\nfox\n')];
    built.dispose();
    const env = memoryEnvironment();
    const registry = createModelRegistry(env);
    const added = await registry.add({ id: 'u1', files });
    expect(added).toMatchObject({ numClasses: 6, labels: ['ant', 'bee', 'cat', 'dog', 'emu', 'fox'], modelName: 'tiny_photo', labelsFile: 'labels.txt' });
    expect(added.input).toMatchObject({ height: 8, width: 8, channels: 3 });
    expect(env.kept.has('u1')).toBe(true);

    const fresh = createModelRegistry(env); // a new worker after a reload
    const model = await fresh.get('u1');
    for (const rule of ['rescale', 'revealcancel'] as const) {
      for (const reference of ['black', 'grey', 'blurred'] as const) {
        const r = await explainPhoto(model, photo(), { input: { ...added.input, resize: 'fit' }, rule, target: 2, contrast: 4, softmaxNormalize: false, reference });
        expect(r.pixelContributions.length).toBe(64);
        expect(r.seen.length).toBe(256);
        expect(r.target).toBe(2);
        expect(r.contrast).toBe(4);
        const total = r.pixelContributions.reduce((a, b) => a + b, 0);
        expect(Math.abs(total - r.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.delta)));
        expect(Math.abs(r.delta)).toBeGreaterThan(0);
      }
    }
    const top = await explainPhoto(model, photo(), { input: added.input, rule: 'rescale', target: null, contrast: null, softmaxNormalize: true, reference: 'black' });
    expect(top.top).toHaveLength(5);
    expect(top.top[0]!.index).toBe(top.predicted);
    expect(top.target).toBe(top.predicted);
    for (let i = 1; i < 5; i++) expect(top.top[i]!.probability).toBeLessThanOrEqual(top.top[i - 1]!.probability);
    await expect(explainPhoto(model, photo(), { input: added.input, rule: 'rescale', target: 6, contrast: null, softmaxNormalize: false, reference: 'black' })).rejects.toThrow(/class 0–5/);

    // The same model on another backend is loaded again; removing it forgets it.
    env.backend = 'other';
    expect(await fresh.get('u1')).not.toBe(model);
    await fresh.remove('u1');
    await registry.remove('u1');
    expect(env.kept.has('u1')).toBe(false);
    await expect(createModelRegistry(env).get('u1')).rejects.toThrow(/no model u1/);
  });

  it('names an unsupported layer and its class, and refuses labels that do not match', async () => {
    const env = memoryEnvironment();
    const registry = createModelRegistry(env);
    const bad = unsupportedLayerModel();
    const badFiles = await modelFiles(bad);
    bad.dispose();
    await expect(registry.add({ id: 'b', files: badFiles })).rejects.toThrow(/layer "my_layer_norm" \(LayerNormalization\) is not supported/);
    const ok = tinyPhotoModel();
    const files = [...(await modelFiles(ok)), textFile('labels.json', '["one", "two"]')];
    ok.dispose();
    await expect(registry.add({ id: 'c', files })).rejects.toThrow('labels.json has 2 labels, but the model has 6 outputs');
    expect(env.kept.size).toBe(0);
  });
});

describe('a MobileNetV2-style functional model on WASM', () => {
  it('loads (Conv, BN, ReLU6, DepthwiseConv2D, Add, GAP), fixed and dynamic, and explains a photo with Σ C = Δt', async () => {
    await tf.setBackend('wasm');
    const start = tf.memory().numTensors;
    const at32: Float32Array[] = [];
    try {
      for (const side of [32, null]) {
        const built = tinyMobileNet(side, 6);
        const files = await modelFiles(built);
        built.dispose();
        const env = memoryEnvironment();
        env.backend = 'wasm';
        const registry = createModelRegistry(env);
        const added = await registry.add({ id: 'm', files });
        expect(added.input).toMatchObject({ channels: 3, isDynamic: side === null, height: side ?? 224, width: side ?? 224 });
        const model = await registry.get('m');
        const input = { ...added.input, height: 24, width: 20 };
        for (const rule of ['rescale', 'revealcancel'] as const) {
          const r = await explainPhoto(model, photo(), { input: side === null ? input : added.input, rule, target: null, contrast: null, softmaxNormalize: false, reference: 'blurred' });
          expect(r.pixelContributions.length).toBe(side === null ? 24 * 20 : 32 * 32);
          const total = r.pixelContributions.reduce((a, b) => a + b, 0);
          expect(Math.abs(r.delta)).toBeGreaterThan(1e-4);
          expect(Math.abs(total - r.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(r.delta)));
        }
        // The same seeded weights at 32 × 32: the dynamic model's copy explains exactly as the fixed model.
        const r32 = await explainPhoto(model, photo(), { input: { ...added.input, height: 32, width: 32 }, rule: 'rescale', target: 1, contrast: null, softmaxNormalize: false, reference: 'black' });
        at32.push(r32.pixelContributions);
        await registry.remove('m');
      }
      expect(at32[1]!.length).toBe(1024);
      for (let i = 0; i < 1024; i++) expect(at32[1]![i]).toBeCloseTo(at32[0]![i]!, 5);
      expect(tf.memory().numTensors).toBe(start);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
