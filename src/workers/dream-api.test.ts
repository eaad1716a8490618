import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../engine/backend';
import { DEFAULT_DREAM_PARAMS, type DreamParams } from '../engine/dream/dream';
import { createDreamModel, loadDreamModel, type DreamModel } from '../engine/models/dream-model';
import { fileSystemIO } from '../engine/models/fs-io';
import { createDreamApi, rawToTensor, type DreamApiEnvironment } from './dream-api';
import type { DreamFrameMessage, RawImage } from './dream-protocol';

const CPU_INFO: BackendInfo = { name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false };

/** Two small convolutions named like trunk layers; weights fixed so runs repeat exactly. */
function standInModel(): DreamModel {
  const input = tf.input({ shape: [null, null, 3] });
  const a = tf.layers
    .conv2d({ name: 'mixed0', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) })
    .apply(input) as tf.SymbolicTensor;
  const b = tf.layers
    .conv2d({ name: 'mixed1', filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) })
    .apply(a) as tf.SymbolicTensor;
  return createDreamModel(tf.model({ inputs: input, outputs: b }), { scale: 1 / 255, offset: 0, min: 0, max: 1 }, ['mixed0', 'mixed1'], 4);
}

function gradientPhoto(width: number, height: number): RawImage {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      pixels[i] = (x * 255) / width;
      pixels[i + 1] = (y * 255) / height;
      pixels[i + 2] = 128;
      pixels[i + 3] = 255;
    }
  }
  return { width, height, pixels };
}

const params = (over: Partial<DreamParams> = {}): DreamParams => ({
  ...DEFAULT_DREAM_PARAMS,
  layers: [{ name: 'mixed1', weight: 1 }],
  octaves: 2,
  octaveScale: 1.5,
  steps: 3,
  frameEvery: 1,
  jitter: 2,
  tileSize: 512,
  ...over,
});

describe('dream api (called directly, CPU backend, stand-in model)', () => {
  let loads = 0;
  const env: DreamApiEnvironment = {
    startBackend: async () => {
      await tf.setBackend('cpu');
      return CPU_INFO;
    },
    loadModel: async (onProgress) => {
      loads++;
      onProgress?.(0.5);
      onProgress?.(1);
      return standInModel();
    },
  };
  let api = createDreamApi(env);

  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  beforeEach(() => {
    loads = 0;
    api = createDreamApi(env);
  });

  it('reports the backend and loads the model once, with progress', async () => {
    expect(await api.init('cpu')).toEqual(CPU_INFO);
    const seen: number[] = [];
    const [a, b] = await Promise.all([api.loadModel((f) => void seen.push(f)), api.loadModel()]);
    expect(a.layerNames).toEqual(['mixed0', 'mixed1']);
    expect(b.layerNames).toEqual(['mixed0', 'mixed1']);
    await api.loadModel();
    expect(loads).toBe(1);
    expect(seen).toEqual([0.5, 1]);
  });

  it('streams frames of every step, smallest octave first, the last at the photo size', async () => {
    await api.loadModel();
    const before = tf.memory().numTensors;
    const photo = gradientPhoto(24, 16);
    const original = new Uint8ClampedArray(photo.pixels);
    const frames: DreamFrameMessage[] = [];
    const result = await api.dream(7, photo, params(), (f) => void frames.push(f));
    expect(frames.length).toBe(6);
    expect(frames.map((f) => [f.octave, f.step])).toEqual([[0, 1], [0, 2], [0, 3], [1, 1], [1, 2], [1, 3]]);
    expect(frames.every((f) => f.jobId === 7 && f.octaves === 2 && f.steps === 3)).toBe(true);
    expect(frames[0]!.width).toBeLessThan(24);
    const last = frames.at(-1)!;
    expect([last.width, last.height]).toEqual([24, 16]);
    const image = last.image as RawImage;
    expect(image.pixels.length).toBe(24 * 16 * 4);
    // The dream changed the photo, and the elapsed times only grow.
    expect(image.pixels.some((v, i) => v !== original[i])).toBe(true);
    expect(frames.every((f, i) => i === 0 || f.elapsedMs >= frames[i - 1]!.elapsedMs)).toBe(true);
    expect(result).toMatchObject({ jobId: 7, width: 24, height: 16, frames: 6 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cancel(jobId) stops the job within a step, rejects with AbortError and frees every tensor', async () => {
    await api.loadModel();
    const before = tf.memory().numTensors;
    const frames: DreamFrameMessage[] = [];
    const run = api.dream(3, gradientPhoto(24, 24), params({ steps: 20 }), (f) => {
      frames.push(f);
      if (frames.length === 2) api.cancel(3);
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(frames.length).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('memory() reports the worker\'s tensors and the model load time; benchmarkGradient times bare passes and frees them', async () => {
    const fresh = await api.memory();
    expect(fresh.modelLoadMs).toBeNull();
    await api.loadModel();
    const before = await api.memory();
    expect(before.backend).toBe('cpu');
    expect(before.numTensors).toBe(tf.memory().numTensors);
    expect(before.modelLoadMs).toBeGreaterThanOrEqual(0);
    const bench = await api.benchmarkGradient(gradientPhoto(20, 12), params(), 3, 1);
    expect([bench.width, bench.height]).toEqual([20, 12]);
    expect(bench.passMs).toHaveLength(3);
    expect(bench.passMs.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
    expect((await api.memory()).numTensors).toBe(before.numTensors);
  });

  it('cancelling another job leaves this one running; cancelling unknown jobs is harmless', async () => {
    await api.loadModel();
    api.cancel(999);
    const frames: DreamFrameMessage[] = [];
    const result = await api.dream(4, gradientPhoto(20, 20), params({ octaves: 1, steps: 2 }), (f) => {
      frames.push(f);
      api.cancel(5);
    });
    expect(result.frames).toBe(2);
    expect(frames.length).toBe(2);
  });

  it('rejects a bad photo buffer and bad parameters by name, leaking nothing', async () => {
    await api.loadModel();
    const before = tf.memory().numTensors;
    const bad: RawImage = { width: 10, height: 10, pixels: new Uint8ClampedArray(12) };
    await expect(api.dream(1, bad, params(), () => undefined)).rejects.toMatchObject({ name: 'BadPhotoError' });
    await expect(api.dream(2, gradientPhoto(16, 16), params({ layers: [{ name: 'mixed9', weight: 1 }] }), () => undefined)).rejects.toMatchObject({
      name: 'BadParamsError',
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dreams guided by a guide image: other pixels than unguided with the same seed, the guide\'s features freed, bad guides refused', async () => {
    await api.loadModel();
    const before = tf.memory().numTensors;
    const guide = gradientPhoto(20, 20);
    for (let i = 0; i < guide.pixels.length; i += 4) guide.pixels.set([230, 20, 200], i);
    const last = async (guideImage?: RawImage): Promise<Uint8ClampedArray> => {
      const frames: DreamFrameMessage[] = [];
      await api.dream(8, gradientPhoto(24, 24), params({ octaves: 1, steps: 2, seed: 3 }), (f) => void frames.push(f), guideImage);
      return (frames.at(-1)!.image as RawImage).pixels;
    };
    const plain = await last();
    const guided = await last({ ...guide, pixels: new Uint8ClampedArray(guide.pixels) });
    const again = await last({ ...guide, pixels: new Uint8ClampedArray(guide.pixels) });
    expect(guided.some((v, i) => v !== plain[i])).toBe(true);
    expect(Array.from(again)).toEqual(Array.from(guided));
    expect(tf.memory().numTensors).toBe(before);
    await expect(api.dream(9, gradientPhoto(24, 24), params({ channel: 1 }), () => undefined, gradientPhoto(20, 20))).rejects.toThrow(/guide or a filter/);
    await expect(api.dream(9, gradientPhoto(24, 24), params(), () => undefined, gradientPhoto(3, 3))).rejects.toMatchObject({ name: 'BadGuideError' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a failed model load is retried on the next call', async () => {
    let attempts = 0;
    const flaky = createDreamApi({
      ...env,
      loadModel: async () => {
        attempts++;
        if (attempts === 1) {
          const e = new Error('offline');
          e.name = 'ModelLoadError';
          throw e;
        }
        return standInModel();
      },
    });
    await expect(flaky.loadModel()).rejects.toMatchObject({ name: 'ModelLoadError' });
    await expect(flaky.loadModel()).resolves.toMatchObject({ layerNames: ['mixed0', 'mixed1'] });
    expect(attempts).toBe(2);
  });

  it('rawToTensor drops alpha and keeps 0..255', () => {
    const t = rawToTensor({ width: 1, height: 2, pixels: new Uint8ClampedArray([1, 2, 3, 255, 250, 251, 252, 0]) });
    expect(t.shape).toEqual([2, 1, 3]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 250, 251, 252]);
    t.dispose();
  });
});

describe('dream api with the real InceptionV3 trunk (tiny image, CPU)', () => {
  let model: DreamModel | null = null;
  afterAll(() => model?.dispose());

  it('dreams a 48×48 photo at mixed3: one frame per octave, pixels changed, no tensors left', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const api = createDreamApi({
      startBackend: async () => CPU_INFO,
      loadModel: async () => (model = await loadDreamModel(fileSystemIO('public/models/inception-mixed5/model.json'))),
    });
    await api.loadModel();
    const modelTensors = tf.memory().numTensors;
    const photo = gradientPhoto(48, 48);
    const frames: DreamFrameMessage[] = [];
    await api.dream(1, photo, { ...DEFAULT_DREAM_PARAMS, octaves: 1, steps: 1, frameEvery: 1 }, (f) => void frames.push(f));
    expect(frames.length).toBe(1);
    const pixels = (frames[0]!.image as RawImage).pixels;
    expect(pixels.length).toBe(48 * 48 * 4);
    expect(pixels.some((v, i) => v !== photo.pixels[i])).toBe(true);
    expect(tf.memory().numTensors).toBe(modelTensors);
    model?.dispose();
    model = null;
    expect(tf.memory().numTensors).toBe(before);
  });
});
