import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../dream/jitter';
import { onCpuCheckingEachTestForLeaks } from './cpu-no-leaks.testing';
import { channelMeans, excitedChannels, highFrequencyPower, photoViews, relativeActivation } from './quality';

describe('visualisation quality measures', () => {
  onCpuCheckingEachTestForLeaks();

  it('ranks a channel by activation relative to usual activation, flooring tiny usual values', () => {
    const usual = [1, 2, 0, 4];
    // ratios: 2, 1, 3/(0.05·7/4) ≈ 34, 0.5
    const r = relativeActivation([2, 2, 3, 2], usual, 0);
    expect(r.ratios[0]).toBeCloseTo(2);
    expect(r.ratios[2]).toBeCloseTo(3 / (0.05 * 7 / 4), 4);
    expect(r.rank).toBe(1);
    expect(r.fractionBelow).toBeCloseTo(2 / 3);
    expect(relativeActivation([2, 2, 0, 2], usual, 0).rank).toBe(0);
  });

  it('finds little high-frequency power in smooth images, most in white noise', () => {
    const n = 32;
    const smooth = new Uint8Array(n * n * 4);
    const noise = new Uint8Array(n * n * 4);
    const rng = createRng(5);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const v = 128 + 100 * Math.cos((2 * Math.PI * 2 * x) / n) * Math.sin((2 * Math.PI * 3 * y) / n);
        smooth.set([v, v, v, 255], (y * n + x) * 4);
        const r = Math.floor(rng() * 256);
        noise.set([r, r, r, 255], (y * n + x) * 4);
      }
    }
    expect(highFrequencyPower(smooth, n, n)).toBeLessThan(1e-3); // only 8-bit rounding noise
    const p = highFrequencyPower(noise, n, n);
    // white noise: the share of the frequency square outside radius 0.25 is 1 − π/16 ≈ 0.80
    expect(p).toBeGreaterThan(0.7);
    expect(p).toBeLessThan(0.9);
    // a pure Nyquist checkerboard is all high frequency
    const checker = new Uint8Array(n * n * 4);
    for (let i = 0; i < n * n; i++) {
      const v = ((i % n) + Math.floor(i / n)) % 2 ? 255 : 0;
      checker.set([v, v, v, 255], i * 4);
    }
    expect(highFrequencyPower(checker, n, n)).toBeCloseTo(1, 6);
  });

  it('averages channel means over images and cuts square views of a photo', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const out = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    const a = tf.fill([1, 2, 2, 3], 1) as tf.Tensor4D;
    const b = tf.fill([1, 2, 2, 3], 3) as tf.Tensor4D;
    const means = await channelMeans(m, [a, b]);
    expect(Array.from(means)).toEqual([6, 6]); // (3 + 9) / 2 per channel
    const photo = tf.fill([30, 40, 3], 0.5) as tf.Tensor3D;
    const views = photoViews(photo, 16);
    expect(views.map((v) => v.shape)).toEqual([[1, 16, 16, 3], [1, 16, 16, 3], [1, 16, 16, 3]]);
    // Excited channels: per-channel 1×1 conv weights [1, 2] on the red value; usual [4, 1] → ratios 3/4·… sorted.
    const w = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, kernelInitializer: 'ones' });
    const m2 = tf.model({ inputs: input, outputs: w.apply(input) as tf.SymbolicTensor });
    const top = await excitedChannels(m2, a, [4, 1], 2); // both channels 3 on `a`: ratios 0.75 and 3
    expect(top).toEqual([{ channel: 1, ratio: 3 }, { channel: 0, ratio: 0.75 }]);
    expect(await excitedChannels(m2, a, [4, 1], 1)).toHaveLength(1);
    tf.dispose([a, b, photo, ...views]);
    m.dispose();
    m2.dispose();
  });
});
