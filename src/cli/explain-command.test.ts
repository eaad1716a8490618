import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLift, deepLiftBatch, releaseDeepLiftCache } from '../engine/deeplift/deeplift';
import { smallConvNet } from '../engine/deeplift/testing/model-fixtures';
import { residualNet } from '../engine/deeplift/testing/dag-fixtures';
import { decodeImage, encodePng } from '../engine/image/node-codec';
import { heatmapOverPhoto, resizePhoto, scalePixels } from '../engine/image/photo-input';
import { main } from './main';
import { parseExplainArgs } from './explain-command';

let dir = '';
let model: tf.LayersModel;
let photoModel: tf.LayersModel;
let photoDir = '';
/** A 12×10 RGB photo (PNG), 0..255. */
const PHOTO_W = 12;
const PHOTO_H = 10;
const photoRgba = Uint8Array.from({ length: PHOTO_W * PHOTO_H * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 53 + (i >> 3) * 7) % 256));
const LABELS = ['tabby', 'tiger cat', 'goldfish', 'jay', 'ox'];
const input = Array.from({ length: 8 * 8 * 2 }, (_, i) => ((i * 37) % 11) / 10);
const reference = Array.from({ length: 8 * 8 * 2 }, (_, i) => ((i * 13) % 7) / 20);

/** Saves `m` as model.json + weights.bin in `folder`. */
async function saveToFolder(m: tf.LayersModel, folder: string): Promise<string> {
  await m.save(tf.io.withSaveHandler(async (artifacts) => {
    const { weightData, weightSpecs, modelTopology } = artifacts;
    await writeFile(path.join(folder, 'weights.bin'), Buffer.from(weightData as ArrayBuffer));
    await writeFile(path.join(folder, 'model.json'), JSON.stringify({
      modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['./weights.bin'], weights: weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return path.join(folder, 'model.json');
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'explain-cli-'));
  model = smallConvNet(77);
  await saveToFolder(model, dir);
  await writeFile(path.join(dir, 'in.json'), JSON.stringify({ input, shape: [1, 8, 8, 2] }));
  await writeFile(path.join(dir, 'in-ref.json'), JSON.stringify({ input, shape: [1, 8, 8, 2], reference }));
  // A functional model with residual blocks (DepthwiseConv2D with dilation, Keras ReLU options) on [9, 9, 3].
  photoDir = await mkdtemp(path.join(tmpdir(), 'explain-photo-'));
  photoModel = residualNet(9);
  await saveToFolder(photoModel, photoDir);
  await writeFile(path.join(photoDir, 'photo.png'), encodePng(PHOTO_W, PHOTO_H, photoRgba));
  await writeFile(path.join(photoDir, 'labels.txt'), LABELS.join('\n') + '\n');
});

afterAll(async () => {
  releaseDeepLiftCache(model);
  model.dispose();
  releaseDeepLiftCache(photoModel);
  photoModel.dispose();
  await rm(dir, { recursive: true, force: true });
  await rm(photoDir, { recursive: true, force: true });
});

async function runCli(args: string[], modelJson = path.join(dir, 'model.json')): Promise<Record<string, unknown>> {
  const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const code = await main(['explain', '--model', modelJson, ...args, '--out', out]);
  expect(code).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
}

const runPhoto = (args: string[]) => runCli(args, path.join(photoDir, 'model.json'));

/** The photo as the model sees it, computed here from the photo-input building blocks. */
async function photoInput(scale: 'unit' | 'tf' | 'caffe' | 'raw', h: number, w: number): Promise<{ values: Float32Array; rgb: Float32Array }> {
  const rgb = new Float32Array(PHOTO_W * PHOTO_H * 3);
  for (let i = 0; i < PHOTO_W * PHOTO_H; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = photoRgba[i * 4 + c];
  const t = tf.tensor3d(rgb, [PHOTO_H, PHOTO_W, 3]);
  const resized = await resizePhoto(t, h, w);
  t.dispose();
  return { values: scalePixels(resized, scale, 3), rgb: resized };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]) / scale).toBeLessThan(tol);
}

const TODAY_KEYS = ['attributions', 'backend', 'contrast', 'delta', 'logits', 'method', 'probabilities',
  'referenceLogits', 'referenceProbabilities', 'shape', 'sum', 'target'];

describe('cli explain', () => {
  for (const method of ['deeplift-rescale', 'deeplift-revealcancel'] as const) {
    it(`${method}: writes the same numbers as the engine`, async () => {
      const out = await runCli(['--input', path.join(dir, 'in-ref.json'), '--method', method, '--target', '2', '--contrast', '0']);
      const x = tf.tensor(input, [1, 8, 8, 2]);
      const x0 = tf.tensor(reference, [1, 8, 8, 2]);
      const rule = method === 'deeplift-rescale' ? 'rescale' : 'revealcancel';
      const direct = await deepLift(model, x, { rule, target: 2, contrast: 0, reference: x0 });
      x.dispose();
      x0.dispose();
      const attributions = out.attributions as number[];
      expect(attributions.length).toBe(128);
      attributions.forEach((v, i) => expect(v).toBeCloseTo(direct.attributions[i], 6));
      expect(out.delta).toBeCloseTo(direct.delta, 6);
      expect(out.sum).toBeCloseTo(out.delta as number, 4);
      expect((out.logits as number[]).length).toBe(4);
      expect(out.target).toBe(2);
      expect(out.contrast).toBe(0);
      expect(out.backend).toBe('cpu');
    });
  }

  it('defaults to the predicted class and a black reference; --softmax-normalize and --all-classes', async () => {
    const out = await runCli(['--input', path.join(dir, 'in.json'), '--method', 'deeplift-rescale',
      '--softmax-normalize', '--all-classes']);
    const logits = out.logits as number[];
    expect(out.target).toBe(logits.indexOf(Math.max(...logits)));
    expect((out.referenceLogits as number[]).length).toBe(4);
    const maps = out.classMaps as number[][];
    expect(maps.length).toBe(4);
    // Normalised maps sum to zero over the classes at every pixel.
    for (let i = 0; i < 128; i++) expect(Math.abs(maps.reduce((s, m) => s + m[i], 0))).toBeLessThan(1e-5);
    expect(out.sum).toBeCloseTo(out.delta as number, 4);
  });

  it('--backend wasm gives the cpu numbers to float32 precision', async () => {
    const cpu = await runCli(['--input', path.join(dir, 'in.json'), '--method', 'deeplift-revealcancel', '--target', '1']);
    const wasm = await runCli(['--input', path.join(dir, 'in.json'), '--method', 'deeplift-revealcancel', '--target', '1', '--backend', 'wasm']);
    await tf.setBackend('cpu');
    expect(wasm.backend).toBe('wasm');
    const a = cpu.attributions as number[];
    const b = wasm.attributions as number[];
    const scale = Math.max(1, ...a.map(Math.abs));
    a.forEach((v, i) => expect(Math.abs(v - b[i]) / scale).toBeLessThan(1e-4));
  });

  it('leaves no tensor behind (model, plan cache, inputs)', async () => {
    await runCli(['--input', path.join(dir, 'in.json'), '--method', 'deeplift-rescale']);
    const before = tf.memory().numTensors;
    await runCli(['--input', path.join(dir, 'in-ref.json'), '--method', 'deeplift-revealcancel', '--target', '1']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('N = 1 keeps exactly today\'s output keys', async () => {
    const out = await runCli(['--input', path.join(dir, 'in.json'), '--method', 'deeplift-rescale']);
    expect(Object.keys(out).sort()).toEqual(TODAY_KEYS);
  });

  it('N > 1 writes results: one object per image with the same keys and the per-image numbers', async () => {
    const batch = [...input, ...reference, ...input.map((v) => 1 - v)];
    await writeFile(path.join(dir, 'in-batch.json'), JSON.stringify({ input: batch, shape: [3, 8, 8, 2] }));
    for (const method of ['deeplift-revealcancel', 'gradient-x-input']) {
      const out = await runCli(['--input', path.join(dir, 'in-batch.json'), '--method', method, '--target', '1']);
      expect(Object.keys(out).sort()).toEqual(['backend', 'method', 'results']);
      const results = out.results as Array<Record<string, unknown>>;
      expect(results).toHaveLength(3);
      for (let i = 0; i < 3; i++) {
        await writeFile(path.join(dir, 'in-one.json'), JSON.stringify({ input: batch.slice(i * 128, (i + 1) * 128), shape: [1, 8, 8, 2] }));
        const single = await runCli(['--input', path.join(dir, 'in-one.json'), '--method', method, '--target', '1']);
        const { method: _m, backend: _b, ...perImage } = single;
        expect(Object.keys(results[i]).sort()).toEqual(Object.keys(perImage).sort());
        expectClose(results[i].attributions as number[], single.attributions as number[]);
        expect(results[i].delta).toBeCloseTo(single.delta as number, 5);
      }
    }
  });

  it('--image with --scale tf and --size: the model sees the resized, scaled photo; DeepLIFT matches the engine', async () => {
    const saved = path.join(photoDir, 'seen.json');
    const out = await runPhoto(['--image', path.join(photoDir, 'photo.png'), '--scale', 'tf', '--size', '9,9',
      '--method', 'deeplift-rescale', '--save-input', saved]);
    expect(Object.keys(out).sort()).toEqual(TODAY_KEYS);
    const { values } = await photoInput('tf', 9, 9);
    const seen = JSON.parse(await readFile(saved, 'utf8')) as { input: number[]; shape: number[] };
    expect(seen.shape).toEqual([1, 9, 9, 3]);
    expectClose(seen.input, values, 1e-6);
    const x = tf.tensor(values, [1, 9, 9, 3]);
    const direct = await deepLift(photoModel, x, { rule: 'rescale' });
    x.dispose();
    expectClose(out.attributions as number[], direct.attributions);
    expect(out.target).toBe(direct.target);
    expect(Math.abs((out.sum as number) - (out.delta as number))).toBeLessThan(1e-4 * Math.max(1, Math.abs(out.delta as number)));
  });

  it('--labels and --top 3: labels, probabilities and the three highest classes\' maps in one pass', async () => {
    const out = await runPhoto(['--image', path.join(photoDir, 'photo.png'), '--scale', 'caffe',
      '--method', 'deeplift-revealcancel', '--labels', path.join(photoDir, 'labels.txt'), '--top', '3']);
    const logits = out.logits as number[];
    const order = logits.map((_, c) => c).sort((a, b) => logits[b] - logits[a]);
    const top = out.top as Array<{ class: number; label: string; probability: number; logit: number; attributions: number[]; delta: number; sum: number }>;
    expect(top.map((t) => t.class)).toEqual(order.slice(0, 3));
    expect(top.map((t) => t.label)).toEqual(order.slice(0, 3).map((c) => LABELS[c]));
    expect(out.label).toBe(LABELS[out.target as number]);
    const probs = out.probabilities as number[];
    top.forEach((t) => {
      expect(t.probability).toBeCloseTo(probs[t.class], 6);
      expect(t.logit).toBe(logits[t.class]);
    });
    // Each top map is that class's own map (the separate --target run).
    const second = await runPhoto(['--image', path.join(photoDir, 'photo.png'), '--scale', 'caffe',
      '--method', 'deeplift-revealcancel', '--target', String(top[1].class)]);
    expectClose(top[1].attributions, second.attributions as number[]);
    expect(top[1].delta).toBeCloseTo(second.delta as number, 5);
  });

  it('--reference black|grey|blur|file: the reference photo in the model\'s scaling', async () => {
    const { values } = await photoInput('tf', 9, 9);
    const x = tf.tensor(values, [1, 9, 9, 3]);
    const args = ['--image', path.join(photoDir, 'photo.png'), '--scale', 'tf', '--method', 'deeplift-rescale', '--target', '0'];
    const black = await runPhoto([...args, '--reference', 'black']);
    const minusOne = tf.fill([1, 9, 9, 3], -1);
    expectClose(black.attributions as number[], (await deepLift(photoModel, x, { rule: 'rescale', target: 0, reference: minusOne })).attributions);
    const grey = await runPhoto([...args, '--reference', 'grey']);
    expectClose(grey.attributions as number[], (await deepLift(photoModel, x, { rule: 'rescale', target: 0 })).attributions);
    const refFile = path.join(photoDir, 'ref.json');
    const custom = values.map((v, i) => v * ((i % 5) / 5));
    await writeFile(refFile, JSON.stringify({ reference: Array.from(custom) }));
    const file = await runPhoto([...args, '--reference', refFile]);
    const x0 = tf.tensor(custom, [1, 9, 9, 3]);
    expectClose(file.attributions as number[], (await deepLift(photoModel, x, { rule: 'rescale', target: 0, reference: x0 })).attributions);
    const blur = await runPhoto([...args, '--reference', 'blur', '--blur-sigma', '1.5']);
    expect(Math.abs((blur.sum as number) - (blur.delta as number))).toBeLessThan(1e-4);
    expect(blur.referenceLogits).not.toEqual(grey.referenceLogits);
    for (const t of [x, minusOne, x0]) t.dispose();
  });

  it('--heatmap writes the channel-summed map over the photo', async () => {
    const png = path.join(photoDir, 'heat.png');
    const out = await runPhoto(['--image', path.join(photoDir, 'photo.png'), '--scale', 'unit', '--method', 'deeplift-rescale', '--heatmap', png]);
    const image = decodeImage(new Uint8Array(await readFile(png)));
    expect([image.width, image.height]).toEqual([9, 9]);
    const { rgb } = await photoInput('unit', 9, 9);
    const expected = heatmapOverPhoto(out.attributions as number[], rgb, 9, 9, 3);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(image.data[i] - expected[i]));
    expect(maxDiff).toBeLessThanOrEqual(1);
    // Not a blank image: the map has colour.
    expect(new Set(Array.from(image.data.filter((_, i) => i % 4 === 0))).size).toBeGreaterThan(5);
  });

  it('a batch through the engine equals deepLiftBatch (N > 1 with --top)', async () => {
    const { values } = await photoInput('tf', 9, 9);
    const batch = [...values, ...values.map((v) => -v)];
    await writeFile(path.join(photoDir, 'batch.json'), JSON.stringify({ input: batch, shape: [2, 9, 9, 3] }));
    const out = await runPhoto(['--input', path.join(photoDir, 'batch.json'), '--method', 'deeplift-rescale', '--top', '2']);
    const x = tf.tensor(batch, [2, 9, 9, 3]);
    const direct = await deepLiftBatch(photoModel, x, { rule: 'rescale', topK: 2 });
    x.dispose();
    const results = out.results as Array<{ attributions: number[]; top: Array<{ attributions: number[]; class: number }> }>;
    results.forEach((r, i) => {
      expectClose(r.attributions, direct[i].attributions);
      expect(r.top.map((t) => t.class)).toEqual(direct[i].top!.map((t) => t.classIndex));
      expectClose(r.top[1].attributions, direct[i].top![1].attributions);
    });
  });

  it('a model with a free input size gets --size (or the photo\'s size); the engine alone refuses it by name', async () => {
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' });
    const pool = tf.layers.globalAveragePooling2d({});
    const dense = tf.layers.dense({ units: 4, activation: 'softmax' });
    const build = (shape: (number | null)[]) => {
      const input = tf.input({ shape });
      return tf.model({ inputs: input, outputs: dense.apply(pool.apply(conv.apply(input))) as tf.SymbolicTensor });
    };
    const free = build([null, null, 3]);
    const fixed = build([7, 8, 3]);
    const folder = await mkdtemp(path.join(tmpdir(), 'explain-free-'));
    try {
      const modelJson = await saveToFolder(free, folder);
      const out = await runCli(['--image', path.join(photoDir, 'photo.png'), '--size', '7,8', '--scale', 'tf',
        '--method', 'deeplift-rescale'], modelJson);
      const { values } = await photoInput('tf', 7, 8);
      const x = tf.tensor(values, [1, 7, 8, 3]);
      const direct = await deepLift(fixed, x, { rule: 'rescale' });
      const error = await deepLift(free, x, { rule: 'rescale' }).catch((e: unknown) => e);
      x.dispose();
      expectClose(out.attributions as number[], direct.attributions);
      expect((error as Error).name).toBe('UnsupportedLayerError');
      expect((error as Error).message).toMatch(/free dimensions/);
    } finally {
      releaseDeepLiftCache(fixed);
      fixed.dispose();
      free.dispose();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('rejects bad command lines with exit code 2', async () => {
    expect(() => parseExplainArgs(['--input', 'x.json', '--out', 'o.json', '--method', 'lime'])).toThrow(/unknown method/);
    expect(() => parseExplainArgs(['--input', 'x.json', '--method', 'deeplift-rescale'])).toThrow(/--out is required/);
    expect(() => parseExplainArgs(['--input', 'x.json', '--out', 'o', '--method', 'deeplift-rescale', '--target', '-1'])).toThrow(/non-negative/);
    expect(await main(['explain', '--bogus'])).toBe(2);
    expect(await main(['nope'])).toBe(2);
    expect(() => parseExplainArgs(['--input', 'x.json', '--image', 'p.png', '--out', 'o', '--method', 'gradient'])).toThrow(/exactly one/);
    expect(() => parseExplainArgs(['--image', 'p.png', '--out', 'o', '--method', 'gradient', '--scale', 'imagenet'])).toThrow(/--scale/);
    expect(() => parseExplainArgs(['--image', 'p.png', '--out', 'o', '--method', 'gradient', '--size', '0,3'])).toThrow(/--size/);
    expect(() => parseExplainArgs(['--image', 'p.png', '--out', 'o', '--method', 'gradient', '--heatmap', 'h.jpg'])).toThrow(/png/);
  });
});
