import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseDeepLiftCache } from '../engine/deeplift/deeplift';
import { smallConvNet } from '../engine/deeplift/testing/model-fixtures';
import { integratedGradients } from '../engine/attribution/integrated-gradients';
import { releaseLogitsFunction } from '../engine/attribution/logits-function';
import { METHOD_NAMES } from '../engine/attribution/methods';
import { main } from './main';
import { METHODS, parseExplainArgs } from './explain-command';

let dir = '';
let model: tf.LayersModel;
const input = Array.from({ length: 8 * 8 * 2 }, (_, i) => ((i * 37) % 11) / 10);

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'explain-methods-'));
  model = smallConvNet(78);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    await writeFile(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({
      modelTopology: artifacts.modelTopology, format: 'layers-model',
      weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  await writeFile(path.join(dir, 'in.json'), JSON.stringify({ input, shape: [1, 8, 8, 2] }));
});

afterAll(async () => {
  releaseDeepLiftCache(model);
  releaseLogitsFunction(model);
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function runCli(args: string[]): Promise<Record<string, unknown>> {
  const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const code = await main(['explain', '--model', path.join(dir, 'model.json'), '--input', path.join(dir, 'in.json'), ...args, '--out', out]);
  expect(code).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
}

describe('cli explain with every attribution method', () => {
  it('knows every method of the registry by its name', () => {
    for (const name of METHOD_NAMES) expect(name in METHODS).toBe(true);
  });

  it('integrated-gradients --steps N writes the engine numbers and its completeness error', async () => {
    const out = await runCli(['--method', 'integrated-gradients', '--target', '1', '--contrast', '3', '--steps', '12']);
    const x = tf.tensor(input, [1, 8, 8, 2]);
    const direct = await integratedGradients(model, x, { target: 1, contrast: 3, steps: 12 });
    x.dispose();
    (out.attributions as number[]).forEach((v, i) => expect(v).toBeCloseTo(direct.attributions[i], 6));
    expect(out.completenessError).toBeCloseTo(direct.completenessError as number, 6);
    expect(out.method).toBe('integrated-gradients');
  });

  it('deeplift-shap --references K reports the spread; gradient has no Δt', async () => {
    const shap = await runCli(['--method', 'deeplift-shap', '--target', '2', '--references', '3']);
    const spread = shap.spread as { references: number; pixelStd: number[] };
    expect(spread.references).toBe(3);
    expect(spread.pixelStd.length).toBe(128);
    const grad = await runCli(['--method', 'gradient', '--target', '2']);
    expect(grad.delta).toBeNull();
    expect((grad.attributions as number[]).every((v) => v >= 0)).toBe(true);
  });

  it('rejects --steps 0', () => {
    expect(() => parseExplainArgs(['--input', 'a', '--out', 'b', '--method', 'integrated-gradients', '--steps', '0'])).toThrow(/steps/);
  });
});
