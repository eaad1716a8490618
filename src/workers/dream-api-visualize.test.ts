import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { standInDreamModel } from '../engine/dream/stand-in-model';
import { DEFAULT_VISUALIZE_PARAMS, type VisualizeParams } from '../engine/visualize/params';
import { createDreamApi } from './dream-api';
import type { RawImage } from './dream-protocol';

const params = (over: Partial<VisualizeParams> = {}): VisualizeParams => ({
  ...DEFAULT_VISUALIZE_PARAMS, layer: 'mixed1', channel: 3, size: 16, steps: 8, ...over,
});

/** A uniform RGBA image. */
function flat(width: number, height: number, value: number): RawImage {
  const pixels = new Uint8ClampedArray(width * height * 4).fill(value);
  for (let i = 3; i < pixels.length; i += 4) pixels[i] = 255;
  return { width, height, pixels };
}

let usualLoads = 0;

describe('dream api: visualize (thumbnails), called directly on the CPU backend', () => {
  const api = createDreamApi({
    startBackend: async () => {
      await tf.setBackend('cpu');
      return { name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false };
    },
    loadModel: async () => standInDreamModel(),
    usualPhotos: async () => {
      usualLoads++;
      return [flat(20, 20, 128), flat(24, 20, 60)];
    },
  });

  beforeAll(async () => {
    await api.init('cpu');
    await api.loadModel();
  });

  it('returns the RGBA thumbnail with progress, identical for the same settings, and frees its tensors', async () => {
    const start = tf.memory().numTensors;
    const progress: number[] = [];
    const a = await api.visualize!(1, params(), (step) => void progress.push(step));
    const b = await api.visualize!(2, params());
    expect([a.width, a.height, a.pixels.length]).toEqual([16, 16, 16 * 16 * 4]);
    expect(a.pixels).toEqual(b.pixels);
    expect(a.jobId).toBe(1);
    expect(progress.at(-1)).toBe(8);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('cancel(jobId) stops it with AbortError; a bad channel is a named error', async () => {
    const start = tf.memory().numTensors;
    const run = api.visualize!(3, params({ steps: 200 }));
    setTimeout(() => api.cancel(3), 30);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    await expect(api.visualize!(4, params({ channel: 99 }))).rejects.toMatchObject({ name: 'BadVisualizeParamsError' });
    expect(tf.memory().numTensors).toBe(start);
  });

  it('excites: ranks the layer\'s channels by activation relative to the sample photos, computing those once per layer', async () => {
    const start = tf.memory().numTensors;
    const photo = flat(20, 20, 250);
    const top = await api.excites!(photo, 'mixed1', 3);
    expect(top).toHaveLength(3);
    expect(top[0].ratio).toBeGreaterThanOrEqual(top[1].ratio);
    expect(top[1].ratio).toBeGreaterThanOrEqual(top[2].ratio);
    const all = await api.excites!(flat(20, 20, 250), 'mixed1', 10);
    expect(all).toHaveLength(6);
    expect(all.slice(0, 3)).toEqual(top);
    expect(usualLoads).toBe(1);
    await api.excites!(flat(20, 20, 250), 'mixed0', 2);
    expect(usualLoads).toBe(2);
    expect(tf.memory().numTensors).toBe(start);
  });
});
