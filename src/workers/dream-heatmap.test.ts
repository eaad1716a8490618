import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { standInDreamModel } from '../engine/dream/stand-in-model';
import { createDreamApi } from './dream-api';
import type { RawImage } from './dream-protocol';
import { isAbortError } from './worker-handle';

function stripes(width: number, height: number): RawImage {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    pixels[4 * i] = x % 4 < 2 ? 230 : 20;
    pixels[4 * i + 1] = (i / width) * 8;
    pixels[4 * i + 2] = 128;
    pixels[4 * i + 3] = 255;
  }
  return { width, height, pixels };
}

describe('dream worker: filter heatmap (called directly, stand-in trunk, CPU)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const api = createDreamApi({
    startBackend: async () => ({ name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false }),
    loadModel: async () => standInDreamModel(),
  });

  it('returns a photo-sized map with Σ = Δt for a filter and for the whole layer, leaving no tensor behind', async () => {
    await api.init('cpu');
    await api.loadModel();
    await api.filterHeatmap!(0, stripes(24, 18), { layer: 'mixed1', channel: 2, reference: 'blurred', rule: 'rescale' });
    const before = tf.memory().numTensors;
    for (const [channel, reference, rule] of [[2, 'blurred', 'rescale'], [null, 'black', 'revealcancel']] as const) {
      const h = await api.filterHeatmap!(1, stripes(24, 18), { layer: 'mixed1', channel, reference, rule });
      expect([h.width, h.height]).toEqual([24, 18]);
      expect(h.map).toHaveLength(24 * 18);
      expect(Math.abs(h.delta)).toBeGreaterThan(1e-4);
      expect(h.sum).toBeCloseTo(h.delta, 4);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a cancelled job with AbortError and a bad channel with a clear message', async () => {
    const pending = api.filterHeatmap!(7, stripes(24, 18), { layer: 'mixed0', channel: 1, reference: 'black', rule: 'rescale' });
    api.cancel(7);
    await expect(pending).rejects.toSatisfy(isAbortError);
    await expect(api.filterHeatmap!(8, stripes(24, 18), { layer: 'mixed0', channel: 9, reference: 'black', rule: 'rescale' })).rejects.toThrow(/channel 9 is not in \[0, 4\)/);
  });
});
