/**
 * DeepLIFT scores of a hidden layer: the contributions C = m⁺·Δ⁺ + m⁻·Δ⁻ of
 * each unit of a hidden layer to a target logit (or "k rather than j", or
 * the softmax-normalised logit), as the reference code's
 * `get_target_contribs_func(find_scores_layer_idx=<hidden layer>)`
 * (kundajelab/deeplift, models.py) computes them, summed per channel.
 *
 * For the top channels it also says where in the *input* each one
 * contributed: the multipliers of the hidden layer, masked to channel c, are
 * propagated on down to the input and multiplied by Δx. The backward pass is
 * linear in its seed, so these maps add up, over all channels, to the plain
 * input contributions, and each map sums to its channel's contribution
 * (summation-to-delta between the input and the hidden layer).
 *
 * Σ over channels = Δt when the layer is a cut of the graph (layer-backward.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { checkClass, type Context } from './deeplift';
import { getPlan } from './graph';
import {
  checkInput, contributionsAt, layerNodeIndex, propagate, readAndDispose, withContext, type ForwardOptions,
} from './layer-backward';

export interface LayerScoresOptions extends ForwardOptions {
  /** Keras layer name whose units are scored (its output, after a fused activation). */
  layer: string;
  /** Logit to explain; default: the predicted class. */
  target?: number;
  /** Explain logit[target] − logit[contrast]. */
  contrast?: number | null;
  /** Explain t − mean over classes (§3.6). */
  softmaxNormalize?: boolean;
  /** How many of the channels with the largest |contribution| get an input-space map (default 4, at most the channel count). */
  topChannels?: number;
  /** Map exactly these channels, in this order, instead of the largest ones (e.g. ranked over several references). */
  channels?: number[];
}

export interface LayerScoresResult {
  /** The hidden layer's shape without batch, e.g. [13, 13, 32]. */
  layerShape: number[];
  /** C of every unit of the layer, layer-shaped, row-major (the per-channel spatial maps at the layer's resolution). */
  unitContributions: Float32Array;
  /** Σ of C over each channel's positions, [channels]. */
  channelContributions: Float32Array;
  /** Channels sorted by contribution, largest first (length `channels`). */
  order: number[];
  /**
   * The channels that mattered most, largest |contribution| first (those that argued against the
   * target count as much as those for it), and, for each, its contributions to t through the input, input-shaped.
   */
  topChannels: number[];
  topInputMaps: Float32Array[];
  target: number;
  contrast: number | null;
  /** Δt of the explained quantity. */
  delta: number;
  /** Σ of all units' C (= delta when the layer is a cut). */
  sum: number;
  /** The target layer's values (logits) for x and x₀. */
  logits: number[];
  referenceLogits: number[];
}

/** Scores the channels of `options.layer`, then reads back once. Not disposing its inputs; disposes what it creates. */
export async function deepLiftLayerScores(
  model: tf.LayersModel, input: tf.Tensor, options: LayerScoresOptions,
): Promise<LayerScoresResult> {
  const plan = getPlan(model);
  checkInput(plan, input, options.reference);
  const targetShape = plan.nodes[plan.targetIndex].shape;
  if (targetShape.length !== 1) throw new RangeError(`the target layer must be flat, got shape [${targetShape}]`);
  const numClasses = targetShape[0];
  const contrast = options.contrast ?? null;
  if (options.target !== undefined) checkClass(options.target, numClasses, 'target');
  if (contrast !== null) checkClass(contrast, numClasses, 'contrast');
  const h = layerNodeIndex(plan, options.layer);
  if (h === plan.targetIndex) throw new RangeError(`layer ${options.layer} is the target layer itself`);
  const layerShape = [...plan.nodes[h].shape];
  const layerSize = layerShape.reduce((a, b) => a * b, 1);
  const channels = layerShape[layerShape.length - 1];
  const normalize = options.softmaxNormalize ?? false;

  const seedRow = (ctx: Context): tf.Tensor => {
    let seed: tf.Tensor = options.target !== undefined
      ? tf.oneHot(tf.tensor1d([options.target], 'int32'), numClasses)
      : numClasses === 1 ? tf.ones([1, 1]) : tf.oneHot(tf.argMax(ctx.act(plan.targetIndex), 1) as tf.Tensor1D, numClasses);
    seed = tf.cast(seed, 'float32');
    if (contrast !== null) seed = tf.sub(seed, tf.oneHot(tf.tensor1d([contrast], 'int32'), numClasses));
    if (normalize) seed = tf.sub(seed, tf.mean(seed, 1, true));
    return seed;
  };
  for (const c of options.channels ?? []) {
    if (!Number.isInteger(c) || c < 0 || c >= channels) throw new RangeError(`channel ${c} is not a channel of ${options.layer} (0–${channels - 1})`);
  }
  const topCount = options.channels ? options.channels.length : Math.min(Math.max(0, Math.floor(options.topChannels ?? 4)), channels);

  // One pass; the top channels are only known on the device, so their masks are built there too.
  const data = await readAndDispose(withContext(plan, input, options, (ctx) => {
    const seed = seedRow(ctx);
    const mh = propagate(plan, ctx, plan.targetIndex, { pos: seed, neg: seed }, h);
    const units = contributionsAt(ctx, h, mh);
    const perChannel = tf.sum(tf.reshape(units, [-1, channels]), 0);
    const parts = [tf.reshape(units, [-1]), perChannel, tf.reshape(ctx.act(plan.targetIndex), [-1]), tf.reshape(ctx.ref(plan.targetIndex), [-1])];
    if (topCount > 0) {
      const indices = options.channels ? tf.tensor1d(options.channels, 'int32') : tf.topk(tf.abs(perChannel), topCount).indices;
      const masks = tf.reshape(tf.oneHot(indices, channels), [topCount, ...layerShape.map((_, i) => (i === layerShape.length - 1 ? channels : 1))]);
      const pos = tf.mul(mh.pos, masks);
      const mi = propagate(plan, ctx, h, { pos, neg: mh.neg === mh.pos ? pos : tf.mul(mh.neg, masks) }, plan.inputIndex);
      parts.push(tf.reshape(contributionsAt(ctx, plan.inputIndex, mi), [-1]), tf.cast(indices, 'float32'));
    }
    return tf.concat(parts);
  }));

  let at = 0;
  const take = (n: number) => data.slice(at, (at += n));
  const unitContributions = take(layerSize);
  const channelContributions = take(channels);
  const logits = Array.from(take(numClasses));
  const referenceLogits = Array.from(take(numClasses));
  const inputSize = input.size;
  const maps = take(topCount * inputSize);
  const topChannels = Array.from(take(topCount), (v) => Math.round(v));
  const topInputMaps = topChannels.map((_, k) => maps.slice(k * inputSize, (k + 1) * inputSize));

  let target = options.target ?? 0;
  if (options.target === undefined) for (let i = 1; i < numClasses; i++) if (logits[i] > logits[target]) target = i;
  const quantity = (v: number[]) => {
    let t = v[target] - (contrast === null ? 0 : v[contrast]);
    if (normalize && contrast === null) t -= v.reduce((a, b) => a + b, 0) / numClasses;
    return t;
  };
  let sum = 0;
  for (const v of unitContributions) sum += v;
  const order = Array.from({ length: channels }, (_, c) => c).sort((a, b) => channelContributions[b] - channelContributions[a] || a - b);
  return {
    layerShape, unitContributions, channelContributions, order, topChannels, topInputMaps,
    target, contrast, delta: quantity(logits) - quantity(referenceLogits), sum, logits, referenceLogits,
  };
}
