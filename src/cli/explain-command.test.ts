import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepLift, releaseDeepLiftCache } from '../engine/deeplift/deeplift';
import { smallConvNet } from '../engine/deeplift/testing/model-fixtures';
import { main } from './main';
import { parseExplainArgs } from './explain-command';

let dir = '';
let model: tf.LayersModel;
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
});

afterAll(async () => {
  releaseDeepLiftCache(model);
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function runCli(args: string[]): Promise<Record<string, unknown>> {
  const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const code = await main(['explain', '--model', path.join(dir, 'model.json'), ...args, '--out', out]);
  expect(code).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
}

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

  it('rejects bad command lines with exit code 2', async () => {
    expect(() => parseExplainArgs(['--input', 'x.json', '--out', 'o.json', '--method', 'lime'])).toThrow(/unknown method/);
    expect(() => parseExplainArgs(['--input', 'x.json', '--method', 'deeplift-rescale'])).toThrow(/--out is required/);
    expect(() => parseExplainArgs(['--input', 'x.json', '--out', 'o', '--method', 'deeplift-rescale', '--target', '-1'])).toThrow(/non-negative/);
    expect(await main(['explain', '--bogus'])).toBe(2);
    expect(await main(['nope'])).toBe(2);
  });
});
