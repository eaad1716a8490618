/**
 * DeepLIFT with a hidden-layer target: the contributions of the input's
 * pixels to t = the mean activation of one channel of a hidden layer (or of
 * the whole layer), relative to a reference input, so that Σ C = Δt =
 * t(x) − t(x₀). This is the reference code's `target_layer_idx` set to a
 * hidden layer (kundajelab/deeplift, models.py `get_target_contribs_func`),
 * with the layer's multipliers seeded as the gradient of the mean:
 * m⁺ = m⁻ = 1/(H·W) on channel c and 0 elsewhere (1/(H·W·C) everywhere for
 * the whole layer) — the backward pass is linear in its seed, so seeding the
 * averaging weights explains the average. "Where does this filter find what
 * it responds to" in the Dream panel is this map over the photo.
 *
 * Summation-to-delta holds as for logits (Shrikumar et al. 2017, §3.1) unless
 * a MaxPool in 'gradient' mode is crossed (max-pool.ts); 'crossmax' keeps it.
 */
import * as tf from '@tensorflow/tfjs';
import { getPlan } from './graph';
import {
  checkInput, contributionsAt, layerNodeIndex, propagate, readAndDispose, withContext, type ForwardOptions,
} from './layer-backward';

export interface HiddenTargetOptions extends ForwardOptions {
  /** Keras layer name (its output, after a fused activation). */
  layer: string;
  /** Channel (last axis) whose spatial mean is t; null: the mean of the whole layer. */
  channel: number | null;
}

export interface HiddenTargetResult {
  /** [1, ...input shape]. */
  shape: number[];
  /** Contributions of each input value to t, input-shaped, row-major. */
  attributions: Float32Array;
  /** Δt = t(x) − t(x₀). */
  delta: number;
  /** Σ attributions (= delta by summation-to-delta). */
  sum: number;
  /** t(x) and t(x₀). */
  value: number;
  referenceValue: number;
  /** The layer's shape without batch. */
  layerShape: number[];
}

/** [1, ...shape] averaging weights of the target: 1/(spatial size) on `channel`, or 1/size everywhere. */
function meanSeed(shape: readonly number[], channel: number | null): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const channels = shape[shape.length - 1];
  if (channel === null) return tf.fill([1, ...shape], 1 / size);
  const row = tf.oneHot(tf.tensor1d([channel], 'int32'), channels).reshape([channels]);
  return tf.mul(tf.broadcastTo(row, [1, ...shape]), channels / size);
}

/**
 * Explains the mean activation of `options.channel` of `options.layer` (or
 * of the whole layer) for one input.
 * @param input [1, ...model input shape] float32. Not disposed, nor is the
 * reference; everything created here is disposed.
 */
export async function deepLiftHiddenTarget(
  model: tf.LayersModel, input: tf.Tensor, options: HiddenTargetOptions,
): Promise<HiddenTargetResult> {
  const plan = getPlan(model);
  checkInput(plan, input, options.reference);
  const h = layerNodeIndex(plan, options.layer);
  const layerShape = [...plan.nodes[h].shape];
  const channels = layerShape[layerShape.length - 1];
  const { channel } = options;
  if (channel !== null && !(Number.isInteger(channel) && channel >= 0 && channel < channels)) {
    throw new RangeError(`channel ${channel} is not in [0, ${channels}) for layer ${options.layer}`);
  }
  const inputSize = input.size;

  const data = await readAndDispose(withContext(plan, input, options, (ctx) => {
    const seed = meanSeed(layerShape, channel);
    const m = propagate(plan, ctx, h, { pos: seed, neg: seed }, plan.inputIndex);
    const contribs = contributionsAt(ctx, plan.inputIndex, m);
    const t = tf.sum(tf.mul(seed, ctx.act(h)));
    const t0 = tf.sum(tf.mul(seed, ctx.ref(h)));
    return tf.concat([tf.reshape(contribs, [-1]), tf.stack([t, t0])]);
  }));
  const attributions = data.slice(0, inputSize);
  let sum = 0;
  for (const v of attributions) sum += v;
  const value = data[inputSize];
  const referenceValue = data[inputSize + 1];
  return { shape: [1, ...plan.inputShape], attributions, delta: value - referenceValue, sum, value, referenceValue, layerShape };
}
