import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DREAM_PARAMS, deepDream, type DreamFrame } from '../dream/dream';
import { filterHeatmap, releaseFilterHeatmaps } from '../dream/filter-heatmap';
import { IMAGENET_MEAN, IMAGENET_STD } from './model-spec';
import { dreamDagModel } from './testing/dream-dag';
import { tinyMobileNet } from './testing/tiny-models';
import * as path from 'node:path';
import { fileSystemIO } from './fs-io';
import { listDreamLayers, userDreamModel } from './user-dream-model';

const DAG_ENDS = ['stem_relu', 'dw_relu', 'project', 'add_bn'];

/** The original model's activations at `names` for `x` (a forward pass works with scale: false, only gradients fail). */
function originalActivations(model: tf.LayersModel, names: readonly string[], x: tf.Tensor4D): tf.Tensor[] {
  const sub = tf.model({ inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output as tf.SymbolicTensor) });
  const out = sub.predict(x);
  return Array.isArray(out) ? out : [out];
}

async function maxAbs(a: tf.Tensor): Promise<number> {
  const m = tf.tidy(() => tf.max(tf.abs(a)));
  const v = (await m.data())[0]!;
  m.dispose();
  return v;
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

describe('user models as Deep Dream models', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('tfjs 4.22 cannot differentiate a BatchNormalization with scale: false (why the fold exists)', () => {
    const start = tf.memory().numTensors;
    const model = dreamDagModel();
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer('stem_relu').output as tf.SymbolicTensor });
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 1);
    expect(() => tf.grad((t: tf.Tensor) => tf.mean(sub.apply(t) as tf.Tensor))(x)).toThrow(/dataId/);
    x.dispose();
    model.dispose();
    // The failed tape may leave intermediates behind; the next tests count from their own baselines.
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(start);
  });

  it('lists the convs and blocks of a DAG on their activated outputs, with channel counts; size-bound layers are left out', () => {
    const model = dreamDagModel();
    expect(listDreamLayers(model)).toEqual([
      { name: 'stem_relu', label: 'stem_conv → stem_relu', channels: 6, kind: 'conv' },
      { name: 'dw_relu', label: 'dw → dw_relu', channels: 12, kind: 'conv' },
      { name: 'project', label: 'project', channels: 6, kind: 'conv' },
      { name: 'add_bn', label: 'block_add → add_bn', channels: 6, kind: 'block' },
    ]);
    model.dispose();
  });

  it('folds BN into the conv before it: same activations as the original, and gradients now flow', async () => {
    const start = tf.memory().numTensors;
    const original = dreamDagModel();
    const dream = await userDreamModel(dreamDagModel(), 'unit');
    expect(dream.layerNames).toEqual(DAG_ENDS);
    expect(dream.layers.map((l) => l.channels)).toEqual([6, 12, 6, 6]);
    // Folded: the BNs after convs are gone; the one after the Add stays (with an explicit γ).
    const kinds = dream.trunk.layers.map((l) => l.name);
    expect(kinds).not.toContain('stem_bn');
    expect(kinds).not.toContain('dw_bn');
    expect(kinds).toContain('add_bn');
    expect(dream.trunk.inputs[0]!.shape).toEqual([null, null, null, 3]);
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const want = originalActivations(original, DAG_ENDS, x);
    const got = dream.trunk.predict(x) as tf.Tensor[];
    for (let i = 0; i < DAG_ENDS.length; i++) expect(await maxAbsDiff(got[i]!, want[i]!)).toBeLessThan(1e-4);
    // The activations are not trivially zero (a wrong fold would show).
    expect(await maxAbs(want[0]!)).toBeGreaterThan(0.1);
    const sub = dream.forLayers(['stem_relu']);
    const g = tf.grad((t: tf.Tensor) => tf.mean(sub.apply(t) as tf.Tensor))(x);
    const values = await g.data();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
    // The gradient of the BN-after-Add layer too (it kept its BN, made differentiable).
    const g2 = tf.grad((t: tf.Tensor) => tf.mean(dream.forLayers(['add_bn']).apply(t) as tf.Tensor))(x);
    expect((await g2.data()).some((v) => v !== 0)).toBe(true);
    tf.dispose([x, ...want, ...got, g, g2]);
    original.dispose();
    dream.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('maps [0, 1] RGB to the model’s units: signed, ImageNet per channel, and grey models see the mean of R, G, B', async () => {
    const start = tf.memory().numTensors;
    const x = tf.randomUniform([1, 12, 12, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const cases: [Parameters<typeof userDreamModel>[1], 1 | 3, (t: tf.Tensor4D) => tf.Tensor4D][] = [
      ['signed', 3, (t) => tf.sub(tf.mul(t, 2), 1)],
      ['raw', 3, (t) => tf.mul(t, 255)],
      ['imagenet', 3, (t) => tf.div(tf.sub(t, tf.tensor1d([...IMAGENET_MEAN])), tf.tensor1d([...IMAGENET_STD]))],
      ['unit', 1, (t) => tf.mean(t, 3, true)],
    ];
    for (const [scaling, channels, toModel] of cases) {
      const original = dreamDagModel(12, channels);
      const dream = await userDreamModel(dreamDagModel(12, channels), scaling);
      const modelInput = tf.tidy(() => toModel(x));
      const want = originalActivations(original, DAG_ENDS, modelInput);
      const got = dream.trunk.predict(x) as tf.Tensor[];
      for (let i = 0; i < DAG_ENDS.length; i++) {
        const tolerance = scaling === 'raw' ? 2e-2 : 1e-4;
        expect(await maxAbsDiff(got[i]!, want[i]!), `${scaling}/${channels} ${DAG_ENDS[i]}`).toBeLessThan(tolerance * Math.max(1, await maxAbs(want[i]!)));
      }
      tf.dispose([modelInput, ...want, ...got]);
      original.dispose();
      dream.dispose();
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('dreams a fixed 16×16 model on a 24×20 photo, frames at the photo size, tensors back to baseline', async () => {
    const start = tf.memory().numTensors;
    const dream = await userDreamModel(dreamDagModel(16), 'unit');
    const photo = tf.tidy(() => tf.add(tf.mul(tf.randomUniform([20, 24, 3], 0, 1, 'float32', 4), 120), 60) as tf.Tensor3D);
    const frames: DreamFrame[] = [];
    const params = { ...DEFAULT_DREAM_PARAMS, layers: [{ name: 'dw_relu', weight: 1 }], channel: 3, octaves: 2, steps: 2, jitter: 2, frameEvery: 1, tileSize: 64 };
    for await (const f of deepDream(dream, photo, params)) frames.push(f);
    const last = frames[frames.length - 1]!;
    expect([last.width, last.height]).toEqual([24, 20]);
    expect(frames.length).toBe(4);
    // The dream changed the photo.
    const before = await photo.data();
    let changed = 0;
    for (let i = 0, j = 0; i < 24 * 20; i++, j += 4) if (Math.abs(last.pixels[j]! - Math.round(before[i * 3]!)) > 1) changed++;
    expect(changed).toBeGreaterThan(10);
    photo.dispose();
    dream.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('the filter heatmap runs on a folded user model: Σ map = Δt for a channel of a depthwise chain', async () => {
    const start = tf.memory().numTensors;
    const dream = await userDreamModel(dreamDagModel(16), 'signed');
    const photo = tf.tidy(() => tf.mul(tf.randomUniform([20, 18, 3], 0, 1, 'float32', 5), 255) as tf.Tensor3D);
    for (const rule of ['rescale', 'revealcancel'] as const) {
      const h = await filterHeatmap(dream, photo, { layer: 'dw_relu', channel: 5, reference: 'blurred', rule });
      expect([h.width, h.height]).toEqual([18, 20]);
      const total = h.map.reduce((a, b) => a + b, 0);
      expect(Math.abs(h.delta)).toBeGreaterThan(1e-4);
      expect(Math.abs(total - h.delta)).toBeLessThan(1e-3 * Math.max(1, Math.abs(h.delta)));
    }
    releaseFilterHeatmaps(dream);
    photo.dispose();
    dream.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('finds the smallest side (valid convs) and works on the tiny MobileNet of the model tests', async () => {
    const start = tf.memory().numTensors;
    const valid = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 2, kernelSize: 3, activation: 'relu', name: 'c1' }),
        tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, name: 'c2' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const a = await userDreamModel(valid, 'unit');
    // c1 needs 3 px; c2 needs 3 px of c1's output: 5 px.
    expect(a.minSide).toBe(5);
    expect(a.layers.map((l) => [l.name, l.channels])).toEqual([['c1', 2], ['c2', 3]]);
    a.dispose();
    const m = await userDreamModel(tinyMobileNet(32), 'signed');
    expect(m.layers.map((l) => l.label)).toEqual([
      'stem_conv → stem_relu', 'expand_conv → expand_relu', 'depthwise → depthwise_relu', 'project_conv', 'block_add', 'head_conv → head_relu',
    ]);
    expect(m.layers.map((l) => l.name)).toContain('project_conv');
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('transfer learning: the layers of a nested Sequential or functional base are listed, folded and dreamt', async () => {
    const start = tf.memory().numTensors;
    const build = () => {
      const base = tf.sequential({
        name: 'base',
        layers: [
          tf.layers.conv2d({ inputShape: [16, 16, 3], name: 'base_conv', filters: 4, kernelSize: 3, useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 3 }) }),
          tf.layers.batchNormalization({ name: 'base_bn', scale: false, movingMeanInitializer: tf.initializers.constant({ value: 0.2 }), movingVarianceInitializer: tf.initializers.constant({ value: 2 }) }),
          tf.layers.reLU({ name: 'base_relu' }),
        ],
      });
      const dag = dreamDagModel(16);
      const input = tf.input({ shape: [16, 16, 3], name: 'photo' });
      const a = tf.layers.flatten({ name: 'base_flat' }).apply(base.apply(input)) as tf.SymbolicTensor;
      const b = dag.apply(input) as tf.SymbolicTensor;
      const out = tf.layers.dense({ name: 'head', units: 2 }).apply(tf.layers.concatenate({ name: 'join' }).apply([a, b])) as tf.SymbolicTensor;
      return { model: tf.model({ inputs: input, outputs: out }), base, dag };
    };
    const original = build();
    const dream = await userDreamModel(original.model, 'unit');
    expect(dream.layers.map((l) => [l.label, l.channels])).toEqual([
      ['base_conv → base_relu', 4],
      ['stem_conv → stem_relu', 6], ['dw → dw_relu', 12], ['project', 6], ['block_add → add_bn', 6],
    ]);
    // Same weights as a second build (seeded), so compare with the nested models' own activations.
    const twin = build();
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const want = [...originalActivations(twin.base, ['base_relu'], x), ...originalActivations(twin.dag, DAG_ENDS, x)];
    const got = dream.trunk.predict(x) as tf.Tensor[];
    for (let i = 0; i < want.length; i++) expect(await maxAbsDiff(got[i]!, want[i]!)).toBeLessThan(1e-4);
    const g = tf.grad((t: tf.Tensor) => tf.mean(dream.forLayers(['base_relu']).apply(t) as tf.Tensor))(x);
    expect((await g.data()).some((v) => v !== 0)).toBe(true);
    tf.dispose([x, g, ...want, ...got]);
    twin.model.dispose();
    dream.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a grey model (the shipped MNIST classifier, loaded as a user model) dreams a colour photo with grey detail', async () => {
    const start = tf.memory().numTensors;
    const mnist = await tf.loadLayersModel(fileSystemIO(path.resolve(__dirname, '../../../public/models/mnist/model.json')));
    const dream = await userDreamModel(mnist, 'unit');
    expect(dream.layers.map((l) => [l.name, l.channels])).toEqual([['conv1', 32], ['conv2', 64]]);
    // Two 4×4 stride-2 valid convs: conv1 needs 4 px, conv2 needs 4 of conv1's: 10 px.
    expect(dream.minSide).toBe(10);
    // A colour photo kept away from 0 and 255, so no channel clips.
    const photo = tf.tidy(() => tf.add(tf.mul(tf.randomUniform([32, 40, 3], 0, 1, 'float32', 8), 100), tf.tensor1d([60, 80, 100])) as tf.Tensor3D);
    const before = await photo.data();
    const frames: DreamFrame[] = [];
    const params = { ...DEFAULT_DREAM_PARAMS, layers: [{ name: 'conv2', weight: 1 }], channel: null, octaves: 1, steps: 3, jitter: 0, frameEvery: 3, tileSize: 64, stepSize: 0.02 };
    for await (const f of deepDream(dream, photo, params)) frames.push(f);
    const last = frames.at(-1)!;
    let changed = 0;
    let worstSpread = 0;
    for (let i = 0; i < 32 * 40; i++) {
      const d = [0, 1, 2].map((c) => last.pixels[i * 4 + c]! - before[i * 3 + c]!);
      if (Math.abs(d[0]!) > 2) changed++;
      // The same change in R, G and B (up to the rounding of each to a byte), where no channel clipped.
      const clipped = [0, 1, 2].some((c) => last.pixels[i * 4 + c]! <= 0 || last.pixels[i * 4 + c]! >= 255);
      if (!clipped) worstSpread = Math.max(worstSpread, Math.max(...d) - Math.min(...d));
    }
    expect(changed).toBeGreaterThan(100);
    expect(worstSpread).toBeLessThanOrEqual(1.01);
    photo.dispose();
    dream.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses a model with nothing to dream with (ModelLoadError) and disposes it', async () => {
    const start = tf.memory().numTensors;
    const dense = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 3 })] });
    await expect(userDreamModel(dense, 'unit')).rejects.toMatchObject({ name: 'ModelLoadError', message: expect.stringMatching(/no convolutional layer/) });
    expect(tf.memory().numTensors).toBe(start);
  });
});
