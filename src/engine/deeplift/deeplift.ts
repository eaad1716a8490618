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
 * 1. Forward: every layer's activation for x₀, and Δ = act − ref per layer
 *    (through linear layers Δ itself is propagated, which is the same in
 *    exact arithmetic and more accurate in float32; see `Context`).
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
 * Memory stays near one gradient's: the forward state is lean (each value
 * freed once no later layer reads it; the backward's reads pinned, see
 * `Context`) and the backward pass frees each layer's multipliers once they
 * have been passed down.
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
import { type DeepLiftContext, type Multipliers, type PosNeg, repeatBatch } from './node';

export { UnsupportedLayerError } from './unsupported-layer-error';

export type DeepLiftRule = 'rescale' | 'revealcancel';
export type MaxPoolMode = 'gradient' | 'crossmax';

export interface DeepLiftOptions {
  rule: DeepLiftRule;
  /** Logit to explain (every image of a batch); default: each image's predicted class. */
  target?: number;
  /** Explain C_target − C_contrast. */
  contrast?: number | null;
  /** Paper §3.6: explain t − mean over classes (default false). */
  softmaxNormalize?: boolean;
  /** Same shape as the input (or one image, shared by the batch); default zeros (black). Not disposed. */
  reference?: tf.Tensor;
  /** Default 'gradient' (the reference code's default). */
  maxPoolMode?: MaxPoolMode;
  /** Also return one map per logit (one batched pass). */
  allClasses?: boolean;
  /** Also return the maps of each image's k highest logits, in the same pass. */
  topK?: number;
}

/** One class's map (allClasses / topK). */
export interface ClassMap {
  classIndex: number;
  /** Contributions to that logit alone (same normalisation), input-shaped. */
  attributions: Float32Array;
  /** Δ of that logit (normalised like the main target). */
  delta: number;
  sum: number;
}

export interface DeepLiftResult {
  /** One image's shape, e.g. [1, 28, 28, 1]. */
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
  /** When topK: the k highest logits' maps, highest first. */
  top?: ClassMap[];
}

/**
 * Per-call forward state; implements the rules' view of it. The reference
 * x₀ runs forward through every layer; Δ runs forward through the linear
 * layers (`forwardDelta`) and x = x₀ + Δ is formed where a nonlinearity
 * (or max pooling) needs it, whose Δy is then f(x) − f(x₀). In exact
 * arithmetic these are the reference code's act, ref and act − ref.
 *
 * A *lean* context (what `deepLiftBatch` uses) keeps memory near one
 * forward pass: after each node it computes what that node's backward will
 * read (`prepareBackward`, whose reads are pinned), Δ⁺/Δ⁻ where a later
 * RevealCancel layer needs them, and frees every value of its inputs that
 * no later node reads. Then it is frozen: reading anything not kept throws.
 * A plain context keeps everything and computes on demand (the hidden-layer
 * entry points, which explain several layers from one context).
 */
/** Also used by layer-backward.ts. */
export class Context implements DeepLiftContext {
  private readonly acts: (tf.Tensor | undefined)[] = [];
  private readonly refs: (tf.Tensor | undefined)[] = [];
  private readonly deltas: (tf.Tensor | undefined)[] = [];
  private readonly posNegs = new Map<number, PosNeg>();
  private readonly memos = new Map<string, tf.Tensor | PosNeg>();
  /** How many slots hold each tensor (identity layers pass theirs on): freed at 0. */
  private readonly holders = new Map<tf.Tensor, number>();
  /** Read by a backward pass (pinned): freed only by `dispose`. */
  private readonly kept = new Set<tf.Tensor>();
  /** The caller's x and x₀: never freed here. */
  private readonly given = new Set<tf.Tensor>();
  /** > 0 while a value is being made (its own reads are not pinned). */
  private depth = 0;
  private pinning = false;
  private frozen = false;

  constructor(
    private readonly plan: Plan, readonly rule: DeepLiftRule, readonly poolMode: MaxPoolMode,
    x: tf.Tensor, x0: tf.Tensor, lean = false,
  ) {
    this.given.add(x);
    this.given.add(x0);
    const lastUse = lean ? lastUses(plan) : null;
    const needPosNeg = lean ? posNegDemand(plan, rule) : null;
    try {
      plan.nodes.forEach((node, i) => this.forwardNode(node, i, x, x0, lastUse, needPosNeg));
      if (lean) this.act(plan.targetIndex); // the logits, read by the caller
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.frozen = lean;
  }

  private forwardNode(
    node: Plan['nodes'][number], i: number, x: tf.Tensor, x0: tf.Tensor, lastUse: number[] | null, needPosNeg: boolean[] | null,
  ): void {
    const plan = this.plan;
    if (i === plan.inputIndex) {
      this.acts.push(this.hold(x));
      this.refs.push(this.hold(x0));
      this.deltas.push(undefined);
    } else {
      // Each value in its own tidy (the context keeps the results): the layers' temporaries go at once.
      const refs = node.inputs.map((j) => this.ref(j));
      this.refs.push(this.hold(tf.tidy(() => node.forward(refs))));
      if (node.forwardDelta) {
        const deltas = node.inputs.map((j) => this.delta(j));
        this.acts.push(undefined);
        this.deltas.push(this.hold(tf.tidy(() => (node.forwardDelta as (d: tf.Tensor[]) => tf.Tensor)(deltas))));
      } else {
        const acts = node.inputs.map((j) => this.act(j));
        this.acts.push(this.hold(tf.tidy(() => node.forward(acts))));
        this.deltas.push(undefined);
      }
    }
    if (!lastUse || !needPosNeg) return;
    if (needPosNeg[i]) this.posNeg(i);
    this.pinning = true;
    try {
      node.prepareBackward?.(this, i);
    } finally {
      this.pinning = false;
    }
    for (const j of new Set(node.inputs)) if (lastUse[j] === i) this.release(j);
    if (lastUse[i] < 0) this.release(i);
  }

  /** Stores `t` in one more slot; the context owns it (kept out of the caller's tidy) unless the caller gave it. */
  private hold<T extends tf.Tensor>(t: T): T {
    const n = this.holders.get(t) ?? 0;
    if (n === 0 && !this.given.has(t)) tf.keep(t);
    this.holders.set(t, n + 1);
    return t;
  }

  /** Frees every value the context still holds (not the caller's x and x₀). */
  dispose(): void {
    for (const t of this.holders.keys()) if (!this.given.has(t)) t.dispose();
    this.holders.clear();
    this.memos.clear();
    this.posNegs.clear();
  }

  /** A value read from a slot: pinned when read by a `prepareBackward`. */
  private read<T extends tf.Tensor | PosNeg>(v: T): T {
    if (this.pinning && this.depth === 0) {
      if (v instanceof tf.Tensor) this.kept.add(v);
      else {
        this.kept.add(v.pos);
        this.kept.add(v.neg);
      }
    }
    return v;
  }

  private make<T>(what: string, i: number, f: () => T): T {
    if (this.frozen) {
      throw new Error(`DeepLIFT: ${what} of layer ${this.plan.nodes[i].name} was read but not kept for the backward pass`);
    }
    this.depth++;
    try {
      // Values made on the way (other layers' Δ, Δ⁺/Δ⁻) are held, hence kept out of this tidy.
      return tf.tidy(() => f() as unknown as tf.TensorContainer) as unknown as T;
    } finally {
      this.depth--;
    }
  }

  /** Frees node `i`'s values that nothing pinned and no other slot holds. */
  private release(i: number): void {
    const drop = (t: tf.Tensor | undefined): tf.Tensor | undefined => {
      if (!t || this.kept.has(t)) return t;
      const n = (this.holders.get(t) ?? 1) - 1;
      if (n > 0) this.holders.set(t, n);
      else {
        this.holders.delete(t);
        t.dispose();
      }
      return undefined;
    };
    this.acts[i] = drop(this.acts[i]);
    this.refs[i] = drop(this.refs[i]);
    this.deltas[i] = drop(this.deltas[i]);
    const dropPair = (p: PosNeg | undefined): PosNeg | undefined => {
      if (!p) return p;
      const pos = drop(p.pos);
      const neg = p.neg === p.pos ? pos : drop(p.neg);
      return pos && neg ? p : undefined;
    };
    const pn = dropPair(this.posNegs.get(i));
    if (pn) this.posNegs.set(i, pn);
    else this.posNegs.delete(i);
    const prefix = `${i}:`;
    for (const [key, v] of [...this.memos]) {
      if (!key.startsWith(prefix)) continue;
      const kept = v instanceof tf.Tensor ? drop(v) : dropPair(v);
      if (!kept) this.memos.delete(key);
    }
  }

  act(i: number): tf.Tensor {
    let a = this.acts[i];
    if (!a) {
      a = this.make('the activation', i, () => tf.add(this.refs[i] as tf.Tensor, this.deltas[i] as tf.Tensor));
      this.acts[i] = this.hold(a);
    }
    return this.read(a);
  }

  ref(i: number): tf.Tensor {
    const r = this.refs[i];
    if (!r) return this.make('the reference activation', i, () => { throw new Error('unreachable'); });
    return this.read(r);
  }

  delta(i: number): tf.Tensor {
    let d = this.deltas[i];
    if (!d) {
      d = this.make('Δ', i, () => tf.sub(this.acts[i] as tf.Tensor, this.refs[i] as tf.Tensor));
      this.deltas[i] = this.hold(d);
    }
    return this.read(d);
  }

  posNeg(i: number): PosNeg {
    let c = this.posNegs.get(i);
    if (!c) {
      c = this.make('Δ⁺/Δ⁻', i, () => this.plan.nodes[i].posNeg(this, i));
      this.hold(c.pos);
      if (c.neg !== c.pos) this.hold(c.neg);
      this.posNegs.set(i, c);
    }
    return this.read(c);
  }

  memo<T extends tf.Tensor | PosNeg>(i: number, name: string, make: () => T): T {
    const key = `${i}:${name}`;
    let v = this.memos.get(key) as T | undefined;
    if (!v) {
      v = this.make(name, i, make);
      if (v instanceof tf.Tensor) this.hold(v);
      else {
        this.hold(v.pos);
        if (v.neg !== v.pos) this.hold(v.neg);
      }
      this.memos.set(key, v);
    }
    return this.read(v);
  }
}

/** For each node, the last node that reads its forward values (−1: none; the target: past the end). */
function lastUses(plan: Plan): number[] {
  const last = plan.nodes.map(() => -1);
  plan.nodes.forEach((node, i) => {
    for (const j of node.inputs) last[j] = Math.max(last[j], i);
  });
  last[plan.targetIndex] = plan.nodes.length;
  return last;
}

/**
 * Which nodes' Δ⁺/Δ⁻ a call needs: under RevealCancel, the inputs of every
 * nonlinearity and, down the chain, of every node whose Δ⁺/Δ⁻ are made
 * from its inputs' (`posNegFromDelta` unset), and the model input's. Rescale needs none.
 */
function posNegDemand(plan: Plan, rule: DeepLiftRule): boolean[] {
  const need = plan.nodes.map(() => false);
  if (rule !== 'revealcancel') return need;
  need[plan.inputIndex] = true;
  for (let c = plan.nodes.length - 1; c >= 0; c--) {
    const node = plan.nodes[c];
    if (node.posNegFromDelta) continue;
    const nonlinear = !node.forwardDelta;
    if (nonlinear || need[c]) for (const j of node.inputs) need[j] = true;
  }
  return need;
}

export function addMultipliers(a: Multipliers | undefined, b: Multipliers): Multipliers {
  if (!a) return b;
  const pos = tf.add(a.pos, b.pos);
  const same = a.pos === a.neg && b.pos === b.neg;
  return { pos, neg: same ? pos : tf.add(a.neg, b.neg) };
}

/**
 * Runs the backward pass from `seeds` ([B, K] multipliers on the target
 * layer) and returns the input contributions [B, ...inputShape]. Each
 * layer's rule runs in its own tf.tidy and a layer's multipliers are freed
 * as soon as they have been passed down, so at most a few layers'
 * multipliers are alive at once (as in tf.grad's backward pass).
 * `ctx` is a lean context (or a plain one that already holds every value read).
 */
function backward(plan: Plan, ctx: Context, seeds: tf.Tensor): tf.Tensor {
  const mults = new Map<number, Multipliers>();
  mults.set(plan.targetIndex, { pos: seeds, neg: seeds });
  const spent: tf.Tensor[] = [];
  for (let i = plan.targetIndex; i >= 0; i--) {
    const m = mults.get(i);
    if (!m || i === plan.inputIndex) continue;
    const node = plan.nodes[i];
    const incs = tf.tidy(() => node.backward(ctx, i, m) as unknown as tf.TensorContainer) as unknown as Multipliers[];
    mults.delete(i);
    spent.push(m.pos, m.neg);
    node.inputs.forEach((j, k) => {
      const before = mults.get(j);
      if (before) spent.push(before.pos, before.neg, incs[k].pos, incs[k].neg);
      mults.set(j, addMultipliers(before, incs[k]));
    });
    // Free what no layer below will read (a tensor may be passed on unchanged, e.g. by Add or Dropout).
    const live = new Set<tf.Tensor>([seeds]);
    for (const v of mults.values()) live.add(v.pos).add(v.neg);
    for (const t of spent) if (!live.has(t)) t.dispose();
    spent.length = 0;
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

/** [N, K] one-hot rows of argMax(logits) (first index on ties), computed on the device. */
function predictedOneHot(logits: tf.Tensor, numClasses: number): tf.Tensor {
  if (numClasses === 1) return tf.onesLike(logits);
  return tf.oneHot(tf.argMax(logits, 1) as tf.Tensor1D, numClasses).cast('float32');
}

/** Throws RangeError unless `k` is a class index of a `numClasses`-wide output. */
export function checkClass(k: number, numClasses: number, what: string): void {
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
  if (input.shape[0] !== 1) throw new RangeError(`input must have batch 1, got shape [${input.shape}] (use deepLiftBatch)`);
  return (await deepLiftBatch(model, input, options))[0];
}

/**
 * Explains a batch of N images with DeepLIFT in one pass: one result per
 * image. The forward pass runs at batch N for x and for x₀; the backward
 * pass seeds B = N·(1 + extra maps) multiplier rows at once, block-major
 * (row b·N + n is map b of image n). When a batch needs several maps per
 * image the forward values are tiled to B rows so every per-element factor
 * lines up with its multiplier row (batch 1 needs no tiling: it broadcasts).
 * @param input [N, ...model input shape] float32.
 * @param options.reference [N, ...] or one image [1, ...] shared by all.
 * Does not dispose `input` or `options.reference`; disposes everything it creates.
 */
export async function deepLiftBatch(
  model: tf.LayersModel, input: tf.Tensor, options: DeepLiftOptions,
): Promise<DeepLiftResult[]> {
  const plan = getPlan(model);
  const n = input.shape[0];
  const imageShape = [1, ...plan.inputShape];
  if (input.shape.length !== imageShape.length || n < 1 || input.shape.slice(1).some((d, i) => d !== plan.inputShape[i])) {
    throw new RangeError(`input shape [${input.shape}] does not match the model's [N,${plan.inputShape}]`);
  }
  const inputSize = input.size / n;
  if (options.reference && options.reference.size !== input.size && options.reference.size !== inputSize) {
    throw new RangeError(`reference shape [${options.reference.shape}] does not match the input's [${input.shape}]`);
  }
  const targetShape = plan.nodes[plan.targetIndex].shape;
  if (targetShape.length !== 1) {
    throw new RangeError(`the target layer must be flat, got shape [${targetShape}]`);
  }
  const numClasses = targetShape[0];
  const contrast = options.contrast ?? null;
  if (options.target !== undefined) checkClass(options.target, numClasses, 'target');
  if (contrast !== null) checkClass(contrast, numClasses, 'contrast');
  const normalize = options.softmaxNormalize ?? false;
  const allClasses = options.allClasses ?? false;
  const topK = options.topK ?? 0;
  if (!Number.isInteger(topK) || topK < 0 || topK > numClasses) {
    throw new RangeError(`topK ${topK} is not in [0, ${numClasses}]`);
  }
  const blocks = 1 + (allClasses ? numClasses : 0) + topK;
  // With all classes and a given target (no contrast) the main map is that class's map: read back once.
  const mainIsClassMap = allClasses && options.target !== undefined && contrast === null;
  // With all classes the main map is a combination of the class maps (the backward pass is linear in
  // its seed), so it gets no rows of its own.
  // Likewise with top-k and no given target or contrast: the predicted class is the first of the top k.
  const mainFromTop = topK > 0 && !allClasses && options.target === undefined && contrast === null;
  const backwardBlocks = blocks - (allClasses || mainFromTop ? 1 : 0);
  // Where the main map is read from: its own block 0, or a block it equals (then not stored twice).
  const mainStoredAt = mainIsClassMap ? (options.target as number) : mainFromTop ? 0 : null;
  const rows = (blocks - (mainStoredAt === null ? 0 : 1)) * n;

  const packed = tf.tidy(() => {
    let x = tf.cast(input, 'float32');
    let x0 = options.reference
      ? tf.reshape(tf.cast(options.reference, 'float32'), options.reference.size === input.size ? input.shape : imageShape)
      : tf.zerosLike(x);
    if (x0.shape[0] !== n) x0 = repeatBatch(x0, n);
    const tiled = n > 1 && backwardBlocks > 1;
    if (tiled) {
      x = repeatBatch(x, backwardBlocks);
      x0 = repeatBatch(x0, backwardBlocks);
    }
    const ctx = new Context(plan, options.rule, options.maxPoolMode ?? 'gradient', x, x0, true);
    try {
      const firstRows = (t: tf.Tensor) => (tiled ? tf.slice(t, [0, 0], [n, numClasses]) : t);
      const logits = firstRows(ctx.act(plan.targetIndex));
      const refLogits = firstRows(ctx.ref(plan.targetIndex));
      // Chosen on the device so that nothing is read back before the end.
      let seed: tf.Tensor = options.target !== undefined
        ? tf.tile(tf.tensor2d(oneHotRow(options.target, numClasses, contrast), [1, numClasses]), [n, 1])
        : predictedOneHot(logits, numClasses);
      if (options.target === undefined && contrast !== null) {
        seed = tf.sub(seed, tf.tensor2d(oneHotRow(contrast, numClasses, null), [1, numClasses]));
      }
      const seedBlocks = allClasses || mainFromTop ? [] : [seed];
      if (allClasses) {
        seedBlocks.push(tf.reshape(tf.tile(tf.reshape(tf.eye(numClasses), [numClasses, 1, numClasses]), [1, n, 1]), [-1, numClasses]));
      }
      let topIndices: tf.Tensor | null = null;
      if (topK > 0) {
        topIndices = tf.topk(logits, topK).indices;
        seedBlocks.push(tf.reshape(tf.oneHot(tf.reshape(tf.transpose(topIndices), [-1]) as tf.Tensor1D, numClasses).cast('float32'), [-1, numClasses]));
      }
      let seeds = seedBlocks.length === 1 ? seedBlocks[0] : tf.concat(seedBlocks, 0);
      if (normalize) seeds = tf.sub(seeds, tf.mean(seeds, 1, true));
      let contribs = backward(plan, ctx, seeds);
      if (allClasses && !mainIsClassMap) {
        // main map of image i = Σ_c seed[i, c]·(class c's map of image i); normalisation carries over
        // (Σ_c s_c·(e_c − 1/K) = s − mean(s)).
        const classMaps = tf.reshape(tf.slice(contribs, 0, numClasses * n), [numClasses, n, -1]);
        const main = tf.sum(tf.mul(tf.reshape(tf.transpose(seed), [numClasses, n, 1]), classMaps), 0);
        contribs = tf.concat([tf.reshape(main, [n, ...plan.inputShape]), contribs], 0);
      }
      const parts = [tf.reshape(contribs, [-1]), tf.reshape(logits, [-1]), tf.reshape(refLogits, [-1])];
      // A dropped final sigmoid (or other elementwise activation): the model's outputs f(logits).
      const outAct = plan.droppedActivation;
      if (outAct) parts.push(tf.reshape(outAct.apply(logits), [-1]), tf.reshape(outAct.apply(refLogits), [-1]));
      if (topIndices) parts.push(tf.reshape(tf.cast(topIndices, 'float32'), [-1]));
      return tf.concat(parts);
    } finally {
      ctx.dispose();
    }
  });
  let data: Float32Array;
  try {
    data = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }

  const explained = (k: number, j: number | null) => (v: number[]): number => {
    let t = v[k] - (j === null ? 0 : v[j]);
    if (normalize && j === null) t -= v.reduce((a, b) => a + b, 0) / numClasses;
    return t;
  };
  const mapAt = (block: number, image: number) => {
    const stored = mainStoredAt === null ? block : block === 0 ? mainStoredAt : block - 1;
    const start = (stored * n + image) * inputSize;
    return data.slice(start, start + inputSize);
  };
  const sumOf = (a: Float32Array) => {
    let sum = 0;
    for (const v of a) sum += v;
    return sum;
  };
  const logitsOffset = rows * inputSize;
  const k = numClasses;
  const outOffset = logitsOffset + 2 * n * k;
  const topOffset = outOffset + (plan.droppedActivation ? 2 * n * k : 0);
  const results: DeepLiftResult[] = [];
  for (let i = 0; i < n; i++) {
    const logits = Array.from(data.subarray(logitsOffset + i * k, logitsOffset + (i + 1) * k));
    const referenceLogits = Array.from(data.subarray(logitsOffset + (n + i) * k, logitsOffset + (n + i + 1) * k));
    // (With mainFromTop the main map is the first top-k class's: the predicted one, the same class but on exact ties.)
    const target = options.target ?? (mainFromTop ? data[topOffset + i * topK] : argMax(logits));
    const quantity = explained(target, contrast);
    const attributions = mapAt(0, i);
    const result: DeepLiftResult = {
      shape: imageShape.slice(),
      attributions,
      target,
      contrast,
      delta: quantity(logits) - quantity(referenceLogits),
      sum: sumOf(attributions),
      logits,
      referenceLogits,
      probabilities: plan.droppedActivation
        ? Array.from(data.subarray(outOffset + i * k, outOffset + (i + 1) * k))
        : plan.droppedSoftmax ? softmax(logits) : logits.slice(),
      referenceProbabilities: plan.droppedActivation
        ? Array.from(data.subarray(outOffset + (n + i) * k, outOffset + (n + i + 1) * k))
        : plan.droppedSoftmax ? softmax(referenceLogits) : referenceLogits.slice(),
    };
    if (allClasses) {
      result.classMaps = [];
      result.classDeltas = [];
      for (let c = 0; c < numClasses; c++) {
        result.classMaps.push(mapAt(1 + c, i));
        const q = explained(c, null);
        result.classDeltas.push(q(logits) - q(referenceLogits));
      }
    }
    if (topK > 0) {
      const firstTop = 1 + (allClasses ? numClasses : 0);
      result.top = [];
      for (let r = 0; r < topK; r++) {
        const c = data[topOffset + i * topK + r];
        const q = explained(c, null);
        const map = mapAt(firstTop + r, i);
        result.top.push({ classIndex: c, attributions: map, delta: q(logits) - q(referenceLogits), sum: sumOf(map) });
      }
    }
    results.push(result);
  }
  return results;
}

/**
 * Frees the per-model preprocessing (layer graph, W⁺/W⁻ splits) cached by
 * `deepLift` for `model`. Call before disposing a model, or in tests that
 * count tensors.
 */
export function releaseDeepLiftCache(model: tf.LayersModel): void {
  releasePlan(model);
}
