/**
 * DeepLIFT (Shrikumar, Greenside, Kundaje 2017, "Learning Important Features
 * Through Propagating Activation Differences", ICML) on a tfjs LayersModel.
 *
 * Contributions C = m·Δx of each input pixel to a pre-softmax logit t (or to
 * a difference of two logits), relative to a reference input x₀, with
 * Σ C = Δt = t(x) − t(x₀) (summation-to-delta, §3.1, when no max pooling in
 * 'gradient' mode is crossed). The numbers follow the authors' reference
 * implementation (github kundajelab/deeplift, TF version) rule by rule; each
 * rule file says what it transcribes:
 * - linear.ts, pass-through.ts, batch-norm.ts — the Linear rule (§3.5.1);
 * - rescale.ts — Rescale (§3.5.2), with the gradient fallback below
 *   NEAR_ZERO_THRESHOLD = 10⁻⁷, evaluated at the reference (activations.ts);
 * - reveal-cancel.ts — RevealCancel (§3.5.3) with `pseudocount_near_zero`;
 * - max-pool.ts — 'gradient' mode (the reference's) and our 'crossmax';
 * - graph.ts — the Keras conversion (fused activations split off, Dropout as
 *   no-op, final softmax — or sigmoid etc. — dropped: the target is the
 *   layer before the final activation, `target_layer_idx=-2`).
 *
 * How the pieces fit (deeplift/models.py `Model._get_func`, core.py):
 * 1. Forward: every layer's activation for x and for x₀ (two batch-1 passes),
 *    Δ = act − ref per layer.
 * 2. Target (`OneDimOutputMixin.set_scoring_mode(OneAndZeros)`): the target
 *    layer's m⁺ = m⁻ = a one-hot row at the task index. We seed a batch of
 *    rows at once — the backward pass is linear in the seed — so all class
 *    maps come from one pass. A contrast "k rather than j" seeds eₖ − eⱼ
 *    (= the difference of the two class maps). Softmax normalisation (§3.6):
 *    the reference subtracts, for each input unit, the mean over classes of
 *    the final Dense weights (`get_mean_normalised_softmax_weights`, older
 *    deeplift/util.py), i.e. explains tₖ − mean_c t_c; seeding eₖ − 1/K is the
 *    same linear map.
 * 3. Backward in reverse topological order, each layer adding increments to
 *    its inputs' m⁺ and m⁻ (`_update_mxts_for_inputs`).
 * 4. Input contributions (`_build_target_contrib_vars`):
 *    C = m⁺·Δx⁺ + m⁻·Δx⁻ with Δx⁺ = Δx·[Δx>0], Δx⁻ = Δx·[Δx<0].
 * Everything runs in one tf.tidy and is read back with one `await data()`.
 *
 * Details of the reference code that the sum Σ C = Δt does not reveal, and
 * that this implementation reproduces (file/function of kundajelab/deeplift):
 * - Linear layers split Δ by the sign of each wᵢΔxᵢ (core.py `Dense`,
 *   convolutional.py `Conv2D._build_pos_and_neg_contribs`), and each input
 *   unit takes m⁺W⁺ᵀ + m⁻W⁻ᵀ if its Δx > 0, m⁺W⁻ᵀ + m⁻W⁺ᵀ if Δx < 0 and
 *   ½(m⁺ + m⁻)Wᵀ if Δx = 0 exactly; its m⁺ and m⁻ get the same value
 *   (`_get_mxts_increments_for_inputs`).
 * - Rescale's fallback: |Δx| < NEAR_ZERO_THRESHOLD = 10⁻⁷ (util.py) uses the
 *   gradient evaluated at the *reference*, precisely
 *   `_get_gradient_at_activation(self.get_reference_vars())` — the layer's
 *   output reference — which for sigmoid/tanh re-applies the nonlinearity
 *   (activations.py). For ReLU this is [x₀ > 0].
 * - RevealCancel: pseudocount_near_zero (helper_functions.py) shifts |t| <
 *   ½·10⁻⁷ by ±10⁻⁷ (t ≥ 0 → +); Δy⁺, Δy⁻ average the two orderings; the
 *   multipliers are Δy⁺/pc(Δx⁺), Δy⁻/pc(Δx⁻), with no gradient fallback.
 * - A Keras layer with a fused activation is a linear layer followed by the
 *   activation (kerasapi_conversion.py); the target is the pre-softmax layer
 *   and its m⁺ = m⁻ = the one-hot task vector (core.py
 *   `OneDimOutputMixin.set_scoring_mode`).
 * - Final contributions are m⁺·Δx⁺ + m⁻·Δx⁻ at the input (core.py
 *   `Layer._build_target_contrib_vars`, `Input._build_pos_and_neg_contribs`).
 * - MaxPool2D: `max_pool_grad` at the input activation x (pooling.py); its
 *   Δ⁺/Δ⁻ are zeros.
 * Where this code computes the same quantity along a cheaper path (m·Wᵀ
 * when m⁺ = m⁻; cached Wᵀ; sub-pixel conv transposes) the results agree
 * with the reference's up to float32 rounding; the naive float64
 * transcription in testing/naive-deeplift.ts checks this pixel by pixel.
 */
import * as tf from '@tensorflow/tfjs';
import { getPlan, releasePlan, type Plan } from './graph';
import type { DeepLiftContext, Multipliers, PosNeg } from './node';

export { UnsupportedLayerError } from './unsupported-layer-error';

export type DeepLiftRule = 'rescale' | 'revealcancel';
export type MaxPoolMode = 'gradient' | 'crossmax';

export interface DeepLiftOptions {
  rule: DeepLiftRule;
  /** Logit to explain; default: the predicted class of the input. */
  target?: number;
  /** Explain C_target − C_contrast. */
  contrast?: number | null;
  /** Paper §3.6: explain t − mean over classes (default false). */
  softmaxNormalize?: boolean;
  /** Same shape as the input; default zeros (black). Not disposed. */
  reference?: tf.Tensor;
  /** Default 'gradient' (the reference code's default). */
  maxPoolMode?: MaxPoolMode;
  /** Also return one map per logit (one batched pass). */
  allClasses?: boolean;
}

export interface DeepLiftResult {
  /** Input shape, e.g. [1, 28, 28, 1]. */
  shape: number[];
  /** Contributions to the target (or target − contrast), input-shaped, row-major. */
  attributions: Float32Array;
  target: number;
  contrast: number | null;
  /** Δt = t(x) − t(x₀) of the explained quantity. */
  delta: number;
  /** Σ attributions. */
  sum: number;
  /** The explained layer's values (the pre-softmax/pre-sigmoid logits) for x and x₀. */
  logits: number[];
  referenceLogits: number[];
  /** The model's outputs for x and x₀: softmax (or the dropped final activation) of the logits. */
  probabilities: number[];
  referenceProbabilities: number[];
  /** When allClasses: one map per logit (same normalisation), each for that logit alone. */
  classMaps?: Float32Array[];
  classDeltas?: number[];
}

/** Per-call forward state; implements the rules' view of it (also used by layer-backward.ts). */
export class Context implements DeepLiftContext {
  private readonly acts: tf.Tensor[] = [];
  private readonly refs: tf.Tensor[] = [];
  private readonly deltas = new Map<number, tf.Tensor>();
  private readonly posNegs = new Map<number, PosNeg>();

  constructor(
    private readonly plan: Plan, readonly rule: DeepLiftRule, readonly poolMode: MaxPoolMode,
    x: tf.Tensor, x0: tf.Tensor,
  ) {
    plan.nodes.forEach((node, i) => {
      if (i === plan.inputIndex) {
        this.acts.push(x);
        this.refs.push(x0);
      } else {
        this.acts.push(node.forward(node.inputs.map((j) => this.acts[j])));
        this.refs.push(node.forward(node.inputs.map((j) => this.refs[j])));
      }
    });
  }

  act(i: number): tf.Tensor { return this.acts[i]; }
  ref(i: number): tf.Tensor { return this.refs[i]; }

  delta(i: number): tf.Tensor {
    let d = this.deltas.get(i);
    if (!d) {
      d = tf.sub(this.acts[i], this.refs[i]);
      this.deltas.set(i, d);
    }
    return d;
  }

  posNeg(i: number): PosNeg {
    let c = this.posNegs.get(i);
    if (!c) {
      c = this.plan.nodes[i].posNeg(this, i);
      this.posNegs.set(i, c);
    }
    return c;
  }
}

export function addMultipliers(a: Multipliers | undefined, b: Multipliers): Multipliers {
  if (!a) return b;
  const pos = tf.add(a.pos, b.pos);
  const same = a.pos === a.neg && b.pos === b.neg;
  return { pos, neg: same ? pos : tf.add(a.neg, b.neg) };
}

/**
 * Runs the backward pass from `seeds` ([B, K] multipliers on the target
 * layer) and returns the input contributions [B, ...inputShape].
 */
function backward(plan: Plan, ctx: Context, seeds: tf.Tensor): tf.Tensor {
  const mults = new Map<number, Multipliers>();
  mults.set(plan.targetIndex, { pos: seeds, neg: seeds });
  for (let i = plan.targetIndex; i >= 0; i--) {
    const m = mults.get(i);
    if (!m || i === plan.inputIndex) continue;
    const node = plan.nodes[i];
    const incs = node.backward(ctx, i, m);
    node.inputs.forEach((j, k) => mults.set(j, addMultipliers(mults.get(j), incs[k])));
    mults.delete(i);
  }
  const m = mults.get(plan.inputIndex);
  const dx = ctx.delta(plan.inputIndex);
  const batch = seeds.shape[0];
  if (!m) return tf.zeros([batch, ...plan.inputShape]);
  if (m.pos === m.neg) return tf.mul(m.pos, dx);
  const split = ctx.posNeg(plan.inputIndex);
  return tf.add(tf.mul(m.pos, split.pos), tf.mul(m.neg, split.neg));
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** eₖ (− eⱼ when a contrast j is given) as a plain row. */
function oneHotRow(k: number, numClasses: number, contrast: number | null): Float32Array {
  const row = new Float32Array(numClasses);
  row[k] = 1;
  if (contrast !== null) row[contrast] -= 1;
  return row;
}

/** [1, K] one-hot row of argMax(logits) (first index on ties), computed on the device. */
function predictedOneHot(logits: tf.Tensor, numClasses: number): tf.Tensor {
  if (numClasses === 1) return tf.ones([1, 1]);
  return tf.oneHot(tf.argMax(logits, 1) as tf.Tensor1D, numClasses).cast('float32');
}

function checkClass(k: number, numClasses: number, what: string): void {
  if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
    throw new RangeError(`${what} ${k} is not a class index in [0, ${numClasses})`);
  }
}

/**
 * Explains one input with DeepLIFT.
 * @param input [1, ...model input shape], e.g. [1, 28, 28, 1] float32.
 * Does not dispose `input` or `options.reference`; disposes everything it creates.
 */
export async function deepLift(
  model: tf.LayersModel, input: tf.Tensor, options: DeepLiftOptions,
): Promise<DeepLiftResult> {
  const plan = getPlan(model);
  const shape = [1, ...plan.inputShape];
  if (input.shape.length !== shape.length || input.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`input shape [${input.shape}] does not match the model's [${shape}]`);
  }
  if (options.reference && options.reference.size !== input.size) {
    throw new RangeError(`reference shape [${options.reference.shape}] does not match the input's [${input.shape}]`);
  }
  const numClasses = plan.nodes[plan.targetIndex].shape.reduce((a, b) => a * b, 1);
  if (plan.nodes[plan.targetIndex].shape.length !== 1) {
    throw new RangeError(`the target layer must be flat, got shape [${plan.nodes[plan.targetIndex].shape}]`);
  }
  const contrast = options.contrast ?? null;
  if (options.target !== undefined) checkClass(options.target, numClasses, 'target');
  if (contrast !== null) checkClass(contrast, numClasses, 'contrast');
  const normalize = options.softmaxNormalize ?? false;
  const allClasses = options.allClasses ?? false;
  const rows = allClasses ? 1 + numClasses : 1;
  const inputSize = input.size;

  const packed = tf.tidy(() => {
    const x = tf.cast(input, 'float32');
    const x0 = options.reference ? tf.reshape(tf.cast(options.reference, 'float32'), shape) : tf.zerosLike(x);
    const ctx = new Context(plan, options.rule, options.maxPoolMode ?? 'gradient', x, x0);
    const logits = ctx.act(plan.targetIndex);
    const refLogits = ctx.ref(plan.targetIndex);
    // The predicted class is chosen on the device so nothing is read back before the end.
    let seed: tf.Tensor = options.target !== undefined
      ? tf.tensor2d(oneHotRow(options.target, numClasses, contrast), [1, numClasses])
      : predictedOneHot(logits, numClasses);
    if (options.target === undefined && contrast !== null) {
      seed = tf.sub(seed, tf.tensor2d(oneHotRow(contrast, numClasses, null), [1, numClasses]));
    }
    let seeds = allClasses ? tf.concat([seed, tf.eye(numClasses)], 0) : seed;
    if (normalize) seeds = tf.sub(seeds, tf.mean(seeds, 1, true));
    const contribs = backward(plan, ctx, seeds);
    const parts = [tf.reshape(contribs, [-1]), tf.reshape(logits, [-1]), tf.reshape(refLogits, [-1])];
    // A dropped final sigmoid (or other elementwise activation): the model's outputs f(logits).
    const outAct = plan.droppedActivation;
    if (outAct) parts.push(tf.reshape(outAct.apply(logits), [-1]), tf.reshape(outAct.apply(refLogits), [-1]));
    return tf.concat(parts);
  });
  let data: Float32Array;
  try {
    data = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }

  const logitsOffset = rows * inputSize;
  const logits = Array.from(data.subarray(logitsOffset, logitsOffset + numClasses));
  const referenceLogits = Array.from(data.subarray(logitsOffset + numClasses, logitsOffset + 2 * numClasses));
  const target = options.target ?? argMax(logits);
  const explained = (k: number, j: number | null) => (v: number[]): number => {
    let t = v[k] - (j === null ? 0 : v[j]);
    if (normalize && j === null) t -= v.reduce((a, b) => a + b, 0) / numClasses;
    return t;
  };
  const quantity = explained(target, contrast);
  const attributions = data.slice(0, inputSize);
  let sum = 0;
  for (const v of attributions) sum += v;
  const result: DeepLiftResult = {
    shape,
    attributions,
    target,
    contrast,
    delta: quantity(logits) - quantity(referenceLogits),
    sum,
    logits,
    referenceLogits,
    probabilities: plan.droppedActivation
      ? Array.from(data.subarray(logitsOffset + 2 * numClasses, logitsOffset + 3 * numClasses))
      : plan.droppedSoftmax ? softmax(logits) : logits.slice(),
    referenceProbabilities: plan.droppedActivation
      ? Array.from(data.subarray(logitsOffset + 3 * numClasses, logitsOffset + 4 * numClasses))
      : plan.droppedSoftmax ? softmax(referenceLogits) : referenceLogits.slice(),
  };
  if (allClasses) {
    result.classMaps = [];
    result.classDeltas = [];
    for (let c = 0; c < numClasses; c++) {
      result.classMaps.push(data.slice((1 + c) * inputSize, (2 + c) * inputSize));
      const q = explained(c, null);
      result.classDeltas.push(q(logits) - q(referenceLogits));
    }
  }
  return result;
}

/**
 * Frees the per-model preprocessing (layer graph, W⁺/W⁻ splits) cached by
 * `deepLift` for `model`. Call before disposing a model, or in tests that
 * count tensors.
 */
export function releaseDeepLiftCache(model: tf.LayersModel): void {
  releasePlan(model);
}
