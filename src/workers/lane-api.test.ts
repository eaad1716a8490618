/**
 * The lanes' exposed objects, called directly in Node on the CPU backend with
 * the shipped MNIST model: the interactive lane serves Explain and Compare
 * from one copy of the model, cancels Compare jobs, and exposes what the
 * clients call; the long lane exposes Dream and films; composition refuses clashes.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../engine/backend';
import { releaseLogitsFunction } from '../engine/attribution/logits-function';
import { METHOD_NAMES } from '../engine/attribution/methods';
import { loadMnistModel, onCpuLeavingNoTensors } from '../engine/attribution/testing/fixtures';
import { releaseDeepLiftCache } from '../engine/deeplift/deeplift';
import { createClassifierModels, type ClassifierEnvironment } from './classifier-models';
import { composeApis, LaneCompositionError } from './compose-apis';
import { createCompareApi } from './compare-api';
import type { DreamApiEnvironment } from './dream-api';
import { createExplainApi } from './explain-api';
import type { ExplainParams } from './explain-protocol';
import type { FilmEnvironment } from './film-api';
import { createInteractiveLaneApi, createLongLaneApi, laneOf } from './lane-api';
import type { ModelRegistryEnvironment } from './model-registry';
import { isAbortError } from './worker-handle';

const CPU: BackendInfo = { name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false };
const explainParams: ExplainParams = { rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: { kind: 'black' } };

/** A "7"-ish stroke. */
function seven(): Float32Array {
  const p = new Float32Array(784);
  for (let x = 8; x < 21; x++) p[6 * 28 + x] = 1;
  for (let y = 7; y < 23; y++) p[y * 28 + 20 - Math.floor((y - 7) / 2)] = 1;
  return p;
}

/** An environment that counts backend starts and MNIST loads (each load a fresh copy from disk). */
function countingEnv(options: { activeBackend?: () => string } = {}) {
  const counts = { loads: 0, starts: 0 };
  const models: tf.LayersModel[] = [];
  const env: ClassifierEnvironment = {
    startBackend: async (preference) => {
      counts.starts++;
      return { ...CPU, requested: preference };
    },
    loadModel: async () => {
      counts.loads++;
      const m = await loadMnistModel();
      models.push(m);
      return m;
    },
    ...(options.activeBackend ? { activeBackend: options.activeBackend } : {}),
  };
  const dispose = () => {
    for (const m of models.splice(0)) {
      releaseDeepLiftCache(m);
      releaseLogitsFunction(m);
      try {
        m.dispose();
      } catch {
        // Already disposed by the API on a backend switch.
      }
    }
  };
  return { env, counts, dispose };
}

onCpuLeavingNoTensors();

describe('the interactive lane', () => {
  it('loads MNIST once for Explain, its filters and Compare (separate modules would load it twice)', async () => {
    const { env, counts, dispose } = countingEnv();
    try {
      const lane = createInteractiveLaneApi(env);
      await lane.init('cpu');
      const explained = await lane.explain(1, seven(), explainParams);
      const layers = await lane.layers();
      await lane.filters(2, seven(), { ...explainParams, layer: layers[0]!.name, topChannels: 2 });
      const compared = await lane.compare(3, seven(), {
        target: null, contrast: null, reference: { kind: 'black' }, steps: 4, references: 2, methods: ['gradient', 'deeplift-rescale'],
      });
      await lane.erase(4, seven(), { original: 7, target: 1, steps: 4, references: 2, methods: ['gradient'] });
      expect(counts.loads).toBe(1);
      expect(counts.starts).toBe(1);
      // The same model: Compare's DeepLIFT Rescale map is Explain's, pixel for pixel.
      expect(compared.predicted).toBe(explained.predicted);
      const rescale = compared.maps.find((m) => m.method === 'deeplift-rescale')!.attributions;
      let gap = 0;
      for (let i = 0; i < 784; i++) gap = Math.max(gap, Math.abs(rescale[i]! - explained.attributions[i]!));
      expect(gap).toBeLessThan(1e-5);
      // The lane's memory() reports that one load.
      expect((await lane.memory()).modelLoadMs).not.toBeNull();

      // The structure the lane replaces: Explain and Compare each with a copy of their own.
      const before = counts.loads;
      const explainAlone = createExplainApi(env);
      const compareAlone = createCompareApi(env);
      await explainAlone.explain(5, seven(), explainParams);
      await compareAlone.compare(6, seven(), { target: null, contrast: null, reference: { kind: 'black' }, steps: 4, references: 2, methods: ['gradient'] });
      expect(counts.loads - before).toBe(2);
    } finally {
      dispose();
    }
  });

  it('Compare runs on the backend Explain started and loads the model again, once, after a switch', async () => {
    let current = 'cpu';
    const { env, counts, dispose } = countingEnv({ activeBackend: () => current });
    const startBackend = env.startBackend;
    env.startBackend = async (preference, options) => {
      current = preference === 'auto' ? 'cpu' : preference;
      return startBackend(preference, options);
    };
    try {
      const lane = createInteractiveLaneApi(env);
      const compare = (jobId: number) => lane.compare(jobId, seven(), {
        target: null, contrast: null, reference: { kind: 'black' }, steps: 4, references: 2, methods: ['gradient'],
      });
      await lane.init('cpu');
      await lane.explain(1, seven(), explainParams);
      await compare(2);
      expect(counts.loads).toBe(1);
      // Node has only the CPU backend: stand in for a switch by reporting another name.
      await lane.init('wasm');
      await compare(3);
      await lane.explain(4, seven(), explainParams);
      expect(counts.loads).toBe(2);
      // Compare never started a backend of its own ('auto'): only the two inits did.
      expect(counts.starts).toBe(2);
    } finally {
      dispose();
    }
  });

  it('a Compare job cancelled while it runs rejects with AbortError, leaks nothing, and the next one runs', async () => {
    const { env, dispose } = countingEnv();
    try {
      const lane = createInteractiveLaneApi(env);
      await lane.init('cpu');
      await lane.explain(1, seven(), explainParams);
      const start = tf.memory().numTensors;
      const t0 = performance.now();
      const full = await lane.compare(2, seven(), {
        target: null, contrast: null, reference: { kind: 'black' }, steps: 16, references: 4, methods: [...METHOD_NAMES],
      });
      const fullMs = performance.now() - t0;
      expect(full.maps).toHaveLength(METHOD_NAMES.length);
      const t1 = performance.now();
      const running = lane.compare(3, seven(), {
        target: null, contrast: null, reference: { kind: 'black' }, steps: 16, references: 4, methods: [...METHOD_NAMES],
      }).catch((e: unknown) => e);
      // The job is registered and waiting for the model: the lane's one cancel reaches the Compare module.
      lane.cancel(3);
      expect(isAbortError(await running)).toBe(true);
      expect(performance.now() - t1).toBeLessThan(fullMs);
      expect(tf.memory().numTensors).toBe(start);
      const next = await lane.erase(4, seven(), { original: 7, target: 1, steps: 4, references: 2, methods: ['gradient'] });
      expect(next.curves).toHaveLength(1);
    } finally {
      dispose();
    }
  });

  it('its registry\'s "mnist" is the very model Explain and Compare use', async () => {
    const { env, counts, dispose } = countingEnv();
    const registryEnv = (loadMnist: () => Promise<tf.LayersModel>): ModelRegistryEnvironment => ({
      loadBuiltin: (id) => (id === 'mnist' ? loadMnist() : null),
      persist: async () => undefined,
      restore: async (id) => Promise.reject(new Error(`no ${id}`)),
      forget: async () => undefined,
      activeBackend: () => 'cpu',
    });
    try {
      const models = createClassifierModels({ ...env, models: registryEnv });
      expect(await models.registry!.get('mnist')).toBe(await models.mnist());
      expect(counts.loads).toBe(1);
    } finally {
      dispose();
    }
  });

  it('exposes Explain\'s and Compare\'s methods and one init, memory, fault and cancel; nothing of Dream', () => {
    const { env } = countingEnv();
    const keys = Object.keys(createInteractiveLaneApi(env)).sort();
    expect(keys).toEqual([
      'addModel', 'cancel', 'cleanUpload', 'compare', 'comparePhoto', 'erase', 'explain', 'explainPhoto', 'fault', 'filters',
      'init', 'layers', 'memory', 'photoFilters', 'photoLayers', 'removeModel',
    ]);
  });
});

describe('the long lane', () => {
  it('exposes Dream (gallery, heatmaps) and films, one cancel for both, and never loads the trunk until asked', async () => {
    let loads = 0;
    const dreamEnv: DreamApiEnvironment = {
      startBackend: async () => CPU,
      loadModel: async () => {
        loads++;
        throw new Error('not in this test');
      },
    };
    const filmEnv = (model: FilmEnvironment['model'], device: FilmEnvironment['device']): FilmEnvironment => ({
      model, device, capabilities: async () => ({ webCodecs: false, codec: null }), createEncoder: async () => null,
      openClip: async () => Promise.reject(new Error('no clips here')),
    });
    const lane = createLongLaneApi(dreamEnv, filmEnv);
    expect(Object.keys(lane).sort()).toEqual([
      'benchmarkGradient', 'cancel', 'clip', 'dream', 'excites', 'fault', 'film', 'filmCapabilities', 'filterHeatmap', 'init',
      'loadModel', 'memory', 'visualize',
    ]);
    expect(loads).toBe(0);
    await expect(lane.loadModel()).rejects.toThrow('not in this test');
    expect(loads).toBe(1);
  });
});

describe('lane composition', () => {
  it('takes the first module\'s init, memory and fault, sends cancel to every module, and refuses a clash', async () => {
    const cancels: string[] = [];
    const a = { init: async () => 'a', memory: async () => 'a', work: () => 'a', cancel: (id: number) => void cancels.push(`a${id}`) };
    const b = { init: async () => 'b', other: () => 'b', cancel: (id: number) => void cancels.push(`b${id}`) };
    const composed = composeApis(a, b);
    expect(await composed.init()).toBe('a');
    expect(await composed.memory()).toBe('a');
    expect([composed.work(), composed.other()]).toEqual(['a', 'b']);
    composed.cancel(5);
    expect(cancels).toEqual(['a5', 'b5']);
    expect(() => composeApis(a, { work: () => 'c', cancel: () => undefined })).toThrow(LaneCompositionError);
  });

  it('knows its two lanes by name and refuses any other', () => {
    expect(laneOf('interactive')).toBe('interactive');
    expect(laneOf('long')).toBe('long');
    expect(() => laneOf('explain')).toThrow(/No worker lane is named "explain"/);
  });
});
