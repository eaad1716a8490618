import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DREAM_PARAMS, type DreamParams } from '../engine/dream/dream';
import { standInDreamModel } from '../engine/dream/stand-in-model';
import { dreamDagModel } from '../engine/models/testing/dream-dag';
import { DEFAULT_VISUALIZE_PARAMS } from '../engine/visualize/params';
import { createDreamApi } from './dream-api';
import type { DreamFrameMessage, DreamModelChoice, RawImage } from './dream-protocol';

/** RGBA with a diagonal gradient (seeded by `shift`). */
function photo(width: number, height: number, shift = 0): RawImage {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    pixels.set([((x + shift) * 255) / width, (y * 255) / height, (x * y + shift * 7) % 256, 255], i * 4);
  }
  return { width, height, pixels };
}

const USER_A: DreamModelChoice = { id: 'user-a', scaling: 'signed' };
const USER_B: DreamModelChoice = { id: 'user-b', scaling: 'unit' };

const params = (over: Partial<DreamParams> = {}): DreamParams => ({
  ...DEFAULT_DREAM_PARAMS, layers: [{ name: 'dw_relu', weight: 1 }], channel: null, octaves: 2, steps: 2, frameEvery: 1, jitter: 2, tileSize: 128, ...over,
});

describe('dream api with a user model id (CPU backend)', () => {
  const restored: string[] = [];
  const api = createDreamApi({
    startBackend: async () => {
      await tf.setBackend('cpu');
      return { name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false };
    },
    loadModel: async () => standInDreamModel(),
    // As the browser restores from indexeddb://dreamlift-model-<id>: a fixed 16×16 model for user-a, a free-sized one for user-b.
    loadUserModel: async (id) => {
      restored.push(id);
      if (id === 'user-a') return dreamDagModel(16);
      if (id === 'user-b') return dreamDagModel(null);
      if (id === 'user-valid') {
        return tf.sequential({ layers: [
          tf.layers.conv2d({ name: 'v1', inputShape: [28, 28, 1], filters: 3, kernelSize: 4, strides: 2 }),
          tf.layers.conv2d({ name: 'v2', filters: 4, kernelSize: 4, strides: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 2 }),
        ] });
      }
      throw new Error(`Cannot find model with path 'indexeddb://dreamlift-model-${id}'`);
    },
    usualPhotos: async () => [photo(40, 30, 1), photo(32, 32, 5)],
  });

  beforeAll(async () => {
    await api.init('cpu');
    await api.loadModel();
  });

  it('lists the user model’s layers with channel counts; the built-in stays the default', async () => {
    expect((await api.loadModel()).layerNames).toEqual(['mixed0', 'mixed1']);
    const info = await api.loadModel(undefined, USER_A);
    expect(info.layers?.map((l) => [l.name, l.channels])).toEqual([['stem_relu', 6], ['dw_relu', 12], ['project', 6], ['add_bn', 6]]);
    expect(info.minSide).toBe(1);
    // Cached per id: asking again restores nothing.
    await api.loadModel(undefined, USER_A);
    expect(restored.filter((r) => r === 'user-a')).toHaveLength(1);
  });

  it('dreams a fixed-size user model at the photo’s own size, one channel of a folded layer', async () => {
    const frames: DreamFrameMessage[] = [];
    const result = await api.dream(1, photo(30, 22), params({ channel: 7 }), (f) => void frames.push(f), undefined, USER_A);
    expect(frames).toHaveLength(4);
    expect([result.width, result.height]).toEqual([30, 22]);
    const last = frames.at(-1)!.image as RawImage;
    expect(last.pixels.length).toBe(30 * 22 * 4);
    // The built-in layer names are not the user model's.
    await expect(api.dream(2, photo(30, 22), params({ layers: [{ name: 'mixed1', weight: 1 }] }), () => undefined, undefined, USER_A))
      .rejects.toMatchObject({ message: expect.stringMatching(/unknown layer mixed1/) });
  });

  it('thumbnails, the excite ranking and the filter heatmap run on it', async () => {
    const thumb = await api.visualize!(3, { ...DEFAULT_VISUALIZE_PARAMS, layer: 'project', channel: 2, size: 24, steps: 3 }, undefined, USER_A);
    expect([thumb.width, thumb.height]).toEqual([24, 24]);
    const excited = await api.excites!(photo(36, 28, 3), 'dw_relu', 4, USER_A);
    expect(excited).toHaveLength(4);
    expect(excited.every((e) => e.channel >= 0 && e.channel < 12 && Number.isFinite(e.ratio))).toBe(true);
    const h = await api.filterHeatmap!(4, photo(28, 20), { layer: 'add_bn', channel: 1, reference: 'black', rule: 'rescale' }, USER_A);
    expect([h.width, h.height]).toEqual([28, 20]);
    const sum = h.map.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - h.delta)).toBeLessThan(1e-3 * Math.max(1, Math.abs(h.delta)));
  });

  it('sizes the model cannot run at are refused with clear errors before any kernel runs', async () => {
    const valid = { id: 'user-valid', scaling: 'unit' as const };
    await expect(api.loadModel(undefined, valid)).resolves.toMatchObject({ minSide: 10 });
    await expect(api.visualize!(8, { ...DEFAULT_VISUALIZE_PARAMS, layer: 'v2', channel: 0, size: 8, steps: 1 }, undefined, valid))
      .rejects.toMatchObject({ name: 'BadVisualizeParamsError', message: expect.stringMatching(/at least 10 px/) });
    await expect(api.excites!(photo(9, 30), 'v2', 2, valid)).rejects.toMatchObject({ name: 'BadPhotoError', message: expect.stringMatching(/at least 10×10/) });
    await expect(api.dream(9, photo(9, 30), params({ layers: [{ name: 'v2', weight: 1 }] }), () => undefined, undefined, valid)).rejects.toMatchObject({ name: 'BadImageError' });
  });

  it('choosing another user model disposes the previous one (tensors back to the count with one user model)', async () => {
    const cycle = async (job: number): Promise<number> => {
      await api.loadModel(undefined, USER_B);
      await api.dream(job, photo(20, 20), params(), () => undefined, undefined, USER_B);
      await api.loadModel(undefined, USER_A);
      await api.filterHeatmap!(job + 1, photo(28, 20), { layer: 'dw_relu', channel: null, reference: 'black', rule: 'rescale' }, USER_A);
      // Settle the deferred disposal of the model left.
      await new Promise((r) => setTimeout(r, 0));
      return tf.memory().numTensors;
    };
    const once = await cycle(10);
    expect(await cycle(20)).toBe(once);
    expect(await cycle(30)).toBe(once);
    expect(restored.filter((r) => r === 'user-a')).toHaveLength(4);
  });

  it('a model that cannot be restored from storage fails as ModelLoadError with a message to act on', async () => {
    await expect(api.loadModel(undefined, { id: 'user-gone', scaling: 'unit' })).rejects.toMatchObject({
      name: 'ModelLoadError', message: expect.stringMatching(/could not be read from this browser's storage.*load it again in Explain/),
    });
    // The built-in still works after that.
    expect((await api.loadModel()).layerNames).toEqual(['mixed0', 'mixed1']);
  });
});
