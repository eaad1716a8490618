import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCpuCheckingEachTestForLeaks } from './cpu-no-leaks.testing';
import { standInDreamModel } from '../dream/stand-in-model';
import type { DreamModel } from '../models/dream-model';
import { DEFAULT_VISUALIZE_PARAMS, type VisualizeParams } from './params';
import { channelMeans } from './quality';
import { BadVisualizeParamsError, layerOutputModel, outputChannels, visualizeFeature, visualizeToImage } from './visualize';

const INPUT = { scale: 1 / 255, offset: 0, min: 0, max: 1 };

describe('visualizeFeature', () => {
  let model: DreamModel;
  let layer: tf.LayersModel;
  const params = (over: Partial<VisualizeParams> = {}): VisualizeParams => ({
    ...DEFAULT_VISUALIZE_PARAMS, layer: 'mixed1', channel: 2, size: 16, steps: 12, learningRate: 0.1, ...over,
  });
  /** The channel means of an RGBA visualisation, fed without transforms. */
  const meansOf = async (pixels: Uint8ClampedArray, size: number): Promise<Float32Array> => {
    const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(pixels), [1, size, size, 4]).slice([0, 0, 0, 0], [1, size, size, 3]), 255) as tf.Tensor4D);
    try {
      return await channelMeans(layer, [x]);
    } finally {
      x.dispose();
    }
  };

  onCpuCheckingEachTestForLeaks();
  beforeAll(() => {
    model = standInDreamModel();
    layer = layerOutputModel(model.trunk, 'mixed1');
  });
  afterAll(() => model.dispose());

  it('finds the layer of any LayersModel and rejects bad parameters', async () => {
    expect(outputChannels(layer)).toBe(6);
    expect(() => layerOutputModel(model.trunk, 'nope')).toThrow(BadVisualizeParamsError);
    await expect(visualizeFeature(layer, INPUT, params({ channel: 6 })).next()).rejects.toThrow(/0 to 5/);
  });

  it('raises the chosen channel above where it starts, and is deterministic for a seed', async () => {
    const zero = await visualizeToImage(layer, INPUT, params({ steps: 0 }));
    const a = await visualizeToImage(layer, INPUT, params());
    const b = await visualizeToImage(layer, INPUT, params());
    const c = await visualizeToImage(layer, INPUT, params({ seed: 2 }));
    expect(a.pixels).toEqual(b.pixels);
    expect(a.pixels).not.toEqual(c.pixels);
    const before = await meansOf(zero.pixels, 16);
    const after = await meansOf(a.pixels, 16);
    expect(after[2]).toBeGreaterThan(before[2] * 1.5);
    expect(a.width).toBe(16);
    expect(a.pixels.length).toBe(16 * 16 * 4);
  });

  it('the negative objective lowers the channel; neuron and layer objectives run', async () => {
    const zero = await visualizeToImage(layer, INPUT, params({ steps: 0 }));
    const before = await meansOf(zero.pixels, 16);
    const active = before.indexOf(Math.max(...before)); // a ReLU channel already at 0 cannot go lower
    expect(before[active]).toBeGreaterThan(0);
    const neg = await visualizeToImage(layer, INPUT, params({ objective: 'negative', channel: active }));
    expect((await meansOf(neg.pixels, 16))[active]).toBeLessThan(before[active] * 0.95);
    expect(neg.objective).toBeLessThan(0);
    const neuron = await visualizeToImage(layer, INPUT, params({ objective: 'neuron', steps: 3 }));
    const whole = await visualizeToImage(layer, INPUT, params({ objective: 'layer', steps: 3 }));
    expect(Number.isFinite(neuron.objective) && Number.isFinite(whole.objective)).toBe(true);
  });

  it('streams frames and stops on abort without leaking', async () => {
    const frames: number[] = [];
    const withPixels: number[] = [];
    await visualizeToImage(layer, INPUT, params({ steps: 4, frameEvery: 2 }), {
      onProgress: (f) => {
        frames.push(f.step);
        if (f.pixels) withPixels.push(f.step);
      },
    });
    expect(frames).toEqual([1, 2, 3, 4]);
    expect(withPixels).toEqual([2, 4]);
    const controller = new AbortController();
    const run = visualizeToImage(layer, INPUT, params({ steps: 50 }), {
      signal: controller.signal,
      onProgress: (f) => {
        if (f.step === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('works on a model with a fixed one-channel input (resized and greyed)', async () => {
    const input = tf.input({ shape: [12, 12, 1] });
    const conv = tf.layers.conv2d({ name: 'c', filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: conv });
    const r = await visualizeToImage(layerOutputModel(m, 'c'), INPUT, params({ layer: 'c', channel: 1, steps: 3 }));
    expect(r.pixels.length).toBe(16 * 16 * 4);
    m.dispose();
  });
});
