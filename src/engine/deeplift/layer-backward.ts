/**
 * DeepLIFT's backward pass between any two nodes of the converted plan, for
 * hidden-layer targets (hidden-target.ts) and hidden-layer scores
 * (layer-scores.ts). The reference code (kundajelab/deeplift, models.py
 * `Model.get_target_contribs_func(find_scores_layer_idx, target_layer_idx)`)
 * lets both ends be any layer: multipliers are seeded on the target layer
 * (`set_scoring_mode` / `update_task_index`), propagated down in reverse
 * topological order by the same layer rules, and the scores of the
 * find-scores layer are its `get_target_contrib_vars()` = m⁺·Δ⁺ + m⁻·Δ⁻
 * (core.py `Layer._build_target_contrib_vars`), Δ⁺/Δ⁻ being that layer's own
 * positive/negative contributions. When m⁺ = m⁻ (no RevealCancel layer
 * directly above) this is m·Δ.
 *
 * Summation-to-delta through a hidden layer: Σ over its units of C = Δt
 * holds when every path from the input to the target crosses that layer (it
 * is a cut of the graph, as every layer of a Sequential model and every
 * Inception `mixed` concat is); a conv inside one Inception branch carries
 * only part of Δt. `isCut` tells which.
 */
import * as tf from '@tensorflow/tfjs';
import { addMultipliers, Context, type DeepLiftRule, type MaxPoolMode } from './deeplift';
import { getPlan, type Plan } from './graph';
import type { Multipliers } from './node';
import { UnsupportedLayerError } from './unsupported-layer-error';

/** A Keras layer of the model as the plan sees it. */
export interface PlanLayer {
  /** Keras layer name. */
  name: string;
  /** Keras class name. */
  className: string;
  /** Output shape without batch, e.g. [13, 13, 32]. */
  shape: number[];
  /** Plan index of the layer's output (after its fused activation). */
  index: number;
  /** Whether every path from the input to the model's target crosses it (then its units' C sum to Δt). */
  isCut: boolean;
}

/** The plan index of Keras layer `name`'s output: the last node carrying its name (a fused activation follows its linear part). */
export function layerNodeIndex(plan: Plan, name: string): number {
  for (let i = plan.nodes.length - 1; i >= 0; i--) {
    if (plan.nodes[i].name === name && i !== plan.inputIndex) return i;
  }
  const known = layersOfPlan(plan).map((l) => l.name).join(', ');
  throw new UnsupportedLayerError(name, 'unknown', `no such layer in the model (layers: ${known})`);
}

/** Whether removing node `h` disconnects the input from the target. */
function isCut(plan: Plan, h: number): boolean {
  if (h === plan.targetIndex) return true;
  const reached = new Array<boolean>(plan.nodes.length).fill(false);
  reached[plan.inputIndex] = true;
  for (let i = 0; i < plan.nodes.length; i++) {
    if (i === h || i === plan.inputIndex) continue;
    reached[i] = plan.nodes[i].inputs.some((j) => reached[j]);
  }
  return !reached[plan.targetIndex];
}

/** Every Keras layer with a plan node (input excluded), in topological order. */
export function layersOfPlan(plan: Plan): PlanLayer[] {
  const last = new Map<string, number>();
  plan.nodes.forEach((n, i) => {
    if (i !== plan.inputIndex) last.set(n.name, i);
  });
  return [...last.entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([name, index]) => {
      const node = plan.nodes[index];
      // The class of the Keras layer is its first node's (the linear part of Conv2D+ReLU is 'Conv2D').
      const first = plan.nodes.findIndex((n) => n.name === name);
      return { name, className: plan.nodes[first].className, shape: [...node.shape], index, isCut: isCut(plan, index) };
    });
}

/**
 * Propagates multipliers `m` ([B, ...shape of node `from`]) down to node
 * `to` (to < from) and returns the multipliers that reach `to`
 * ([B, ...shape of `to`]), or zeros when no path connects them. Call inside
 * tf.tidy; the result belongs to that scope.
 */
export function propagate(plan: Plan, ctx: Context, from: number, m: Multipliers, to: number): Multipliers {
  const mults = new Map<number, Multipliers>();
  mults.set(from, m);
  for (let i = from; i > to; i--) {
    const here = mults.get(i);
    if (!here || i === plan.inputIndex) continue;
    const node = plan.nodes[i];
    const incs = node.backward(ctx, i, here);
    node.inputs.forEach((j, k) => {
      if (j >= to) mults.set(j, addMultipliers(mults.get(j), incs[k]));
    });
    mults.delete(i);
  }
  const reached = mults.get(to);
  if (reached) return reached;
  const zeros = tf.zeros([m.pos.shape[0], ...plan.nodes[to].shape]);
  return { pos: zeros, neg: zeros };
}

/** Contributions m⁺·Δ⁺ + m⁻·Δ⁻ of node `i`'s units ([B, ...shape]); m·Δ when m⁺ = m⁻. Inside tf.tidy. */
export function contributionsAt(ctx: Context, i: number, m: Multipliers): tf.Tensor {
  if (m.pos === m.neg) return tf.mul(m.pos, ctx.delta(i));
  const split = ctx.posNeg(i);
  return tf.add(tf.mul(m.pos, split.pos), tf.mul(m.neg, split.neg));
}

/** What both hidden-layer entry points take besides the layer. */
export interface ForwardOptions {
  rule: DeepLiftRule;
  /** Same size as the input; default zeros (black). Not disposed. */
  reference?: tf.Tensor;
  /** Default 'gradient' (the reference code's). */
  maxPoolMode?: MaxPoolMode;
}

/** Throws a RangeError unless `input` (and the reference) have the model's input size. */
export function checkInput(plan: Plan, input: tf.Tensor, reference: tf.Tensor | undefined): void {
  const shape = [1, ...plan.inputShape];
  if (input.size !== shape.reduce((a, b) => a * b, 1)) {
    throw new RangeError(`input shape [${input.shape}] does not match the model's [${shape}]`);
  }
  if (reference && reference.size !== input.size) {
    throw new RangeError(`reference shape [${reference.shape}] does not match the input's [${input.shape}]`);
  }
}

/** Runs `body` on the forward state of x and x₀ inside one tf.tidy; returns what it returns (kept). */
export function withContext(plan: Plan, input: tf.Tensor, options: ForwardOptions, body: (ctx: Context) => tf.Tensor): tf.Tensor {
  const shape = [1, ...plan.inputShape];
  return tf.tidy(() => {
    const x = tf.reshape(tf.cast(input, 'float32'), shape);
    const x0 = options.reference ? tf.reshape(tf.cast(options.reference, 'float32'), shape) : tf.zerosLike(x);
    const ctx = new Context(plan, options.rule, options.maxPoolMode ?? 'gradient', x, x0);
    try {
      return body(ctx);
    } finally {
      ctx.dispose();
    }
  });
}

/** Reads `packed` back with one await and disposes it, also on failure. */
export async function readAndDispose(packed: tf.Tensor): Promise<Float32Array> {
  try {
    return (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
}

const SPATIAL_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D', 'Concatenate', 'Add']);

/**
 * The model's convolutional layers (Conv2D, DepthwiseConv2D and the
 * Concatenate/Add that join Inception-style branches) with [H, W, C]
 * outputs, in order: the layers whose filters a person can score.
 */
export function convLayers(model: tf.LayersModel): PlanLayer[] {
  const plan = getPlan(model);
  return layersOfPlan(plan).filter((l) => l.shape.length === 3 && SPATIAL_CLASSES.has(l.className) && l.index !== plan.targetIndex);
}
