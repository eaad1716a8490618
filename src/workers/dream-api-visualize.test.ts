import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { standInDreamModel } from '../engine/dream/stand-in-model';
import { DEFAULT_VISUALIZE_PARAMS, type VisualizeParams } from '../engine/visualize/params';
import { createDreamApi } from './dream-api';

const params = (over: Partial<VisualizeParams> = {}): VisualizeParams => ({
  ...DEFAULT_VISUALIZE_PARAMS, layer: 'mixed1', channel: 3, size: 16, steps: 8, ...over,
});

describe('dream api: visualize (thumbnails), called directly on the CPU backend', () => {
  const api = createDreamApi({
    startBackend: async () => {
      await tf.setBackend('cpu');
      return { name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false };
    },
    loadModel: async () => standInDreamModel(),
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
});
