import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../engine/backend';
import { fileSystemIO } from '../engine/models/fs-io';
import { createExplainApi, type ExplainApiEnvironment } from './explain-api';
import type { ExplainParams } from './explain-protocol';
import { isAbortError } from './worker-handle';

const CPU: BackendInfo = { name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false };

/** A tiny model of the MNIST classifier's shape and layer kinds ([b, 28, 28, 1] → [b, 10] softmax), saved to disk. */
async function saveTinyModel(dir: string): Promise<string> {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 3, kernelSize: 4, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ seed: 1, stddev: 0.5 }), biasInitializer: 'zeros' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 2, stddev: 0.2 }) }));
  const jsonPath = path.join(dir, 'model.json');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsFile = 'weights.bin';
      await writeFile(path.join(dir, weightsFile), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
      };
      await writeFile(jsonPath, JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return jsonPath;
}

/** A "7"-ish stroke: a top bar and a diagonal. */
function digit(): Float32Array {
  const p = new Float32Array(784);
  for (let x = 7; x < 21; x++) p[6 * 28 + x] = 1;
  for (let y = 7; y < 23; y++) p[y * 28 + Math.round(20 - (y - 7) * 0.5)] = 1;
  return p;
}

const params = (over: Partial<ExplainParams> = {}): ExplainParams => ({
  rule: 'rescale',
  target: null,
  contrast: null,
  softmaxNormalize: false,
  reference: { kind: 'black' },
  ...over,
});

describe('explain API (called directly, CPU backend, model from disk)', () => {
  let dir: string;
  let jsonPath: string;
  let loads = 0;
  let env: ExplainApiEnvironment;
  let loaded: tf.LayersModel[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(path.join(tmpdir(), 'explain-api-'));
    jsonPath = await saveTinyModel(dir);
    env = {
      startBackend: async () => {
        await tf.setBackend('cpu');
        return CPU;
      },
      loadModel: async () => {
        loads++;
        const m = await tf.loadLayersModel(fileSystemIO(jsonPath));
        loaded.push(m);
        return m;
      },
    };
  });

  afterAll(async () => {
    loaded.forEach((m) => m.dispose());
    loaded = [];
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the backend, loads the model once, and explains with Σ C = Δt and ten class maps', async () => {
    const api = createExplainApi(env);
    loads = 0;
    expect(await api.init('cpu')).toEqual(CPU);
    const first = await api.explain(1, digit(), params());
    const startTensors = tf.memory().numTensors;
    const result = await api.explain(2, digit(), params({ rule: 'revealcancel' }));
    expect(tf.memory().numTensors).toBe(startTensors);
    expect(loads).toBe(1);

    expect(result.attributions).toBeInstanceOf(Float32Array);
    expect(result.attributions).toHaveLength(784);
    expect(result.probabilities).toHaveLength(10);
    expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(result.predicted).toBe(result.probabilities.indexOf(Math.max(...result.probabilities)));
    expect(result.target).toBe(result.predicted);
    expect(result.sum).toBeCloseTo(result.delta, 3);
    const total = result.attributions.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(result.delta, 3);
    expect(Math.abs(result.delta)).toBeGreaterThan(0);
    expect(result.classMaps).toHaveLength(10);
    result.classMaps.forEach((m) => expect(m).toHaveLength(784));
    expect(result.classDeltas).toHaveLength(10);
    expect(Array.from(result.reference01).every((v) => v === 0)).toBe(true);
    // Every array is its own buffer, so the transfer list has no duplicates.
    const buffers = new Set([result.attributions.buffer, result.reference01.buffer, ...result.classMaps.map((m) => m.buffer)]);
    expect(buffers.size).toBe(12);
    expect(first.logits).toEqual(result.logits);
  });

  it('memory() reports the worker\'s tensors (back to the same count after an explanation) and the model load time', async () => {
    const api = createExplainApi(env);
    expect((await api.memory()).modelLoadMs).toBeNull();
    await api.init('cpu');
    await api.explain(1, digit(), params());
    const before = await api.memory();
    expect(before.backend).toBe('cpu');
    expect(before.numTensors).toBe(tf.memory().numTensors);
    expect(before.numTensors).toBeGreaterThan(0);
    expect(before.modelLoadMs).toBeGreaterThanOrEqual(0);
    await api.explain(2, digit(), params({ rule: 'revealcancel' }));
    const after = await api.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('explains a chosen target rather than a contrast, against a grey or blurred reference', async () => {
    const api = createExplainApi(env);
    await api.init('cpu');
    const r = await api.explain(1, digit(), params({ target: 3, contrast: 5, reference: { kind: 'grey', value: 0.5 } }));
    expect(r.target).toBe(3);
    expect(r.contrast).toBe(5);
    const expected = r.logits[3]! - r.logits[5]! - (r.referenceLogits[3]! - r.referenceLogits[5]!);
    expect(r.delta).toBeCloseTo(expected, 3);
    expect(r.sum).toBeCloseTo(r.delta, 3);
    expect(r.reference01[0]).toBe(0.5);
    const blurred = await api.explain(2, digit(), params({ reference: { kind: 'blurred', sigma: 3 } }));
    expect(Math.max(...blurred.reference01)).toBeGreaterThan(0);
    expect(blurred.sum).toBeCloseTo(blurred.delta, 3);
  });

  it('rejects a job cancelled before it starts, and one cancelled while it runs', async () => {
    const api = createExplainApi(env);
    await api.init('cpu');
    api.cancel(7);
    const early = await api.explain(7, digit(), params()).catch((e: unknown) => e);
    expect(isAbortError(early)).toBe(true);

    // Cancel while the model is still loading: the job must not return a result.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slowApi = createExplainApi({ ...env, loadModel: async () => { await gate; return env.loadModel(); } });
    await slowApi.init('cpu');
    const running = slowApi.explain(8, digit(), params()).catch((e: unknown) => e);
    slowApi.cancel(8);
    release();
    expect(isAbortError(await running)).toBe(true);
    // The next job runs normally.
    const ok = await slowApi.explain(9, digit(), params());
    expect(ok.attributions).toHaveLength(784);
  });

  it('refuses bad requests with named errors and reports a model that fails to load', async () => {
    const api = createExplainApi(env);
    await api.init('cpu');
    const short = await api.explain(1, new Float32Array(10), params()).catch((e: Error) => e);
    expect((short as Error).name).toBe('BadRequestError');
    const badTarget = await api.explain(2, digit(), params({ target: 12 })).catch((e: Error) => e);
    expect((badTarget as Error).name).toBe('BadRequestError');

    let attempts = 0;
    const failing = createExplainApi({
      ...env,
      loadModel: async () => {
        attempts++;
        throw new Error('HTTP 404');
      },
    });
    await failing.init('cpu');
    const err = await failing.explain(1, digit(), params()).catch((e: Error) => e);
    expect((err as Error).name).toBe('ModelLoadError');
    expect((err as Error).message).toMatch(/could not be loaded: HTTP 404/);
    await failing.explain(2, digit(), params()).catch(() => undefined);
    expect(attempts).toBeGreaterThanOrEqual(2); // retried, not cached as a failure
  });
});

describe('explain API across a backend switch', () => {
  it('loads the model again on the new backend', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'explain-switch-'));
    const jsonPath = await saveTinyModel(dir);
    const models: tf.LayersModel[] = [];
    const backends: string[] = [];
    let current = 'cpu';
    const api = createExplainApi({
      startBackend: async (preference) => {
        current = preference === 'auto' ? 'cpu' : preference;
        return { ...CPU, requested: preference };
      },
      loadModel: async () => {
        backends.push(current);
        const m = await tf.loadLayersModel(fileSystemIO(jsonPath));
        models.push(m);
        return m;
      },
      // Node has only the CPU backend: stand in for a switch by reporting another name.
      activeBackend: () => current,
    });
    try {
      await api.init('cpu');
      const a = await api.explain(1, digit(), params());
      await api.init('wasm');
      const b = await api.explain(2, digit(), params());
      expect(backends).toEqual(['cpu', 'wasm']);
      expect(b.logits).toEqual(a.logits);
      expect(models).toHaveLength(2);
      await api.explain(3, digit(), params());
      expect(backends).toHaveLength(2); // no reload while the backend stays
    } finally {
      models.at(-1)?.dispose(); // the API disposed the first one itself when it switched
      await rm(dir, { recursive: true, force: true });
    }
  });
});
