/**
 * Linear layers without weights, under DeepLIFT's Linear rule (paper
 * §3.5.1): Dropout and other inference-time identities, Flatten, Reshape,
 * AveragePooling2D, Add and Concatenate.
 *
 * Reference code (kundajelab/deeplift): `NoOp` (Dropout), `Flatten`,
 * `Concat` in deeplift/layers/core.py and `AvgPool2D` in
 * deeplift/layers/pooling.py all apply the layer's own operation to the
 * input's positive and to its negative contributions separately, and send
 * the positive multipliers back through the operation's transpose to the
 * input's positive multipliers (negative likewise), without mixing them.
 * The TF reference code has no Add layer; we treat it the same way (sum of
 * the inputs' Δ⁺, sum of their Δ⁻; multipliers copied to every input), which
 * is the Linear rule with all weights equal to 1.
 */
import * as tf from '@tensorflow/tfjs';
import { windowSums } from './linear';
import {
  type DeepLiftContext, type DeepLiftNode, type Multipliers, type PosNeg, cropHW, mapMultipliers, mapPosNeg,
} from './node';

abstract class SingleInputPassThrough implements DeepLiftNode {
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    protected readonly inShape: readonly number[],
  ) {}

  abstract forward(inputs: tf.Tensor[]): tf.Tensor;

  forwardDelta(deltas: tf.Tensor[]): tf.Tensor {
    return this.forward(deltas);
  }
  /** The transpose of `forward` (which is linear): [B, ...shape] → [B, ...inShape]. */
  protected abstract transpose(m: tf.Tensor): tf.Tensor;

  posNeg(ctx: DeepLiftContext): PosNeg {
    return mapPosNeg(ctx.posNeg(this.inputs[0]), (t) => this.forward([t]));
  }

  backward(_ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    return [mapMultipliers(m, (t) => this.transpose(t))];
  }

  dispose(): void {}
}

/** Dropout, SpatialDropout, GaussianNoise, ...: the identity at inference (`NoOp`). */
export class IdentityNode extends SingleInputPassThrough {
  forward(inputs: tf.Tensor[]): tf.Tensor {
    return inputs[0];
  }

  protected transpose(m: tf.Tensor): tf.Tensor {
    return m;
  }
}

/** Flatten and Reshape. */
export class ReshapeNode extends SingleInputPassThrough {
  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.reshape(inputs[0], [inputs[0].shape[0], ...this.shape]);
  }

  protected transpose(m: tf.Tensor): tf.Tensor {
    return tf.reshape(m, [m.shape[0], ...this.inShape]);
  }
}

/** AveragePooling2D (NHWC); padded positions are not counted, as in TF. */
export class AvgPoolNode extends SingleInputPassThrough {
  constructor(
    name: string, className: string, inputs: readonly number[], shape: readonly number[],
    inShape: readonly number[],
    private readonly poolSize: [number, number], private readonly strides: [number, number],
    private readonly padding: 'valid' | 'same',
  ) {
    super(name, className, inputs, shape, inShape);
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.avgPool(inputs[0] as tf.Tensor4D, this.poolSize, this.strides, this.padding);
  }

  /**
   * avgPool = windowSum / count, count = the window's in-bounds taps. Not
   * tf.grad of avgPool: tfjs' AvgPoolGrad divides by the full window size
   * even where 'same' padding cut the window (the forward does not).
   */
  protected transpose(m: tf.Tensor): tf.Tensor {
    const sums = windowSums(this.inShape, this.poolSize, this.strides, this.padding);
    const count = windowSums([this.inShape[0], this.inShape[1], 1], this.poolSize, this.strides, this.padding)
      .apply(tf.ones([1, this.inShape[0], this.inShape[1], 1]));
    return sums.transpose(tf.div(m, count));
  }
}

/** Add: y = Σ xᵢ. */
export class AddNode implements DeepLiftNode {
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
  ) {}

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return inputs.length === 1 ? inputs[0] : tf.addN(inputs);
  }

  forwardDelta(deltas: tf.Tensor[]): tf.Tensor {
    return this.forward(deltas);
  }

  posNeg(ctx: DeepLiftContext): PosNeg {
    const parts = this.inputs.map((i) => ctx.posNeg(i));
    return {
      pos: this.forward(parts.map((p) => p.pos)),
      neg: this.forward(parts.map((p) => p.neg)),
    };
  }

  backward(_ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    return this.inputs.map(() => m);
  }

  dispose(): void {}
}

/** Concatenate along `axis` (of the tensor with batch, non-negative). */
export class ConcatNode implements DeepLiftNode {
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    private readonly axis: number, private readonly sizes: readonly number[],
  ) {}

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.concat(inputs, this.axis);
  }

  forwardDelta(deltas: tf.Tensor[]): tf.Tensor {
    return this.forward(deltas);
  }

  posNeg(ctx: DeepLiftContext): PosNeg {
    const parts = this.inputs.map((i) => ctx.posNeg(i));
    return {
      pos: this.forward(parts.map((p) => p.pos)),
      neg: this.forward(parts.map((p) => p.neg)),
    };
  }

  backward(_ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    const pos = tf.split(m.pos, [...this.sizes], this.axis);
    const neg = m.neg === m.pos ? pos : tf.split(m.neg, [...this.sizes], this.axis);
    return pos.map((p, k) => ({ pos: p, neg: neg[k] }));
  }

  dispose(): void {}
}

/** ZeroPadding2D: pads H and W with zeros; the transpose crops. */
export class PadNode extends SingleInputPassThrough {
  constructor(
    name: string, className: string, inputs: readonly number[], shape: readonly number[],
    inShape: readonly number[], private readonly pads: [[number, number], [number, number]],
  ) {
    super(name, className, inputs, shape, inShape);
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.pad(inputs[0], [[0, 0], this.pads[0], this.pads[1], [0, 0]]);
  }

  protected transpose(m: tf.Tensor): tf.Tensor {
    return cropHW(m, this.pads[0][0], this.pads[1][0], this.inShape[0], this.inShape[1]);
  }
}

/** Cropping2D: drops rows/columns; the transpose pads them back with zeros. */
export class CropNode extends SingleInputPassThrough {
  constructor(
    name: string, className: string, inputs: readonly number[], shape: readonly number[],
    inShape: readonly number[], private readonly crops: [[number, number], [number, number]],
  ) {
    super(name, className, inputs, shape, inShape);
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    const x = inputs[0];
    return cropHW(x, this.crops[0][0], this.crops[1][0], this.shape[0], this.shape[1]);
  }

  protected transpose(m: tf.Tensor): tf.Tensor {
    return tf.pad(m, [[0, 0], this.crops[0], this.crops[1], [0, 0]]);
  }
}

/** GlobalAveragePooling2D: mean over H and W → [C]. */
export class GlobalAvgPoolNode extends SingleInputPassThrough {
  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.mean(inputs[0], [1, 2]);
  }

  protected transpose(m: tf.Tensor): tf.Tensor {
    const [h, w, c] = this.inShape;
    // A broadcasting multiply by ones: the same values as tf.broadcastTo, whose WASM tile is ~30× slower.
    return tf.mul(tf.reshape(tf.div(m, h * w), [m.shape[0], 1, 1, c]), tf.ones([1, h, w, 1]));
  }
}

/**
 * UpSampling2D, nearest or bilinear, written as gathers along H then W with
 * tfjs' resize source positions (no align-corners, no half-pixel centres:
 * source = dst·in/out). The transpose multiplies by the interpolation
 * matrices' transposes: tfjs' own resize gradients disagree with its forward.
 */
export class UpSamplingNode extends SingleInputPassThrough {
  private readonly axes: Array<{ i0: number[]; i1: number[]; frac: number[] }>;

  constructor(
    name: string, className: string, inputs: readonly number[], shape: readonly number[],
    inShape: readonly number[], private readonly bilinear: boolean,
  ) {
    super(name, className, inputs, shape, inShape);
    this.axes = [0, 1].map((a) => {
      const inLen = inShape[a];
      const outLen = shape[a];
      const i0: number[] = []; const i1: number[] = []; const frac: number[] = [];
      for (let d = 0; d < outLen; d++) {
        const src = (d * inLen) / outLen;
        const lo = Math.min(Math.floor(src), inLen - 1);
        i0.push(lo);
        i1.push(Math.min(lo + 1, inLen - 1));
        frac.push(bilinear ? src - lo : 0);
      }
      return { i0, i1, frac };
    });
  }

  private along(x: tf.Tensor, a: number): tf.Tensor {
    const { i0, i1, frac } = this.axes[a];
    const lo = tf.gather(x, tf.tensor1d(i0, 'int32'), a + 1);
    if (!this.bilinear) return lo;
    const hi = tf.gather(x, tf.tensor1d(i1, 'int32'), a + 1);
    const f = tf.reshape(tf.tensor1d(frac), a === 0 ? [1, -1, 1, 1] : [1, 1, -1, 1]);
    return tf.add(lo, tf.mul(tf.sub(hi, lo), f));
  }

  /** The forward's interpolation matrix along axis `a`: [out, in]. */
  private matrix(a: number): tf.Tensor2D {
    const { i0, i1, frac } = this.axes[a];
    const inLen = this.inShape[a];
    const values = new Float32Array(i0.length * inLen);
    i0.forEach((lo, o) => {
      values[o * inLen + lo] += 1 - frac[o];
      values[o * inLen + i1[o]] += frac[o];
    });
    return tf.tensor2d(values, [i0.length, inLen]);
  }

  /** t contracted with M [t's length along axis a, n] along that axis (1-based a + 1). */
  private static contract(t: tf.Tensor, m: tf.Tensor2D, a: number): tf.Tensor {
    const perm = a === 0 ? [0, 2, 3, 1] : [0, 1, 3, 2];
    const moved = tf.transpose(t, perm);
    const [b, p, q] = moved.shape;
    const out = tf.reshape(tf.matMul(tf.reshape(moved, [-1, m.shape[0]]), m), [b, p, q, m.shape[1]]);
    return tf.transpose(out, perm[1] === 2 ? [0, 3, 1, 2] : [0, 1, 3, 2]);
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return this.along(this.along(inputs[0], 0), 1);
  }

  /** Aᵀ along H and W as matrix products (no gather gradient: WASM lacks UnsortedSegmentSum). */
  protected transpose(m: tf.Tensor): tf.Tensor {
    return UpSamplingNode.contract(UpSamplingNode.contract(m, this.matrix(0), 0), this.matrix(1), 1);
  }
}

/** Permute: reorders the non-batch axes (`dims`, 1-based as in Keras). */
export class PermuteNode extends SingleInputPassThrough {
  private readonly inverse: number[];

  constructor(
    name: string, className: string, inputs: readonly number[], shape: readonly number[],
    inShape: readonly number[], private readonly dims: readonly number[],
  ) {
    super(name, className, inputs, shape, inShape);
    this.inverse = [0];
    for (let i = 1; i <= dims.length; i++) this.inverse.push(dims.indexOf(i) + 1);
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.transpose(inputs[0], [0, ...this.dims]);
  }

  protected transpose(m: tf.Tensor): tf.Tensor {
    return tf.transpose(m, this.inverse);
  }
}

/**
 * y = scale·x + offset with a scalar scale (Rescaling, Average's 1/n):
 * the Linear rule with one weight. A negative scale swaps the roles of the
 * positive and negative parts (as batch-norm.ts does for a negative γ).
 */
export class ScaleNode extends SingleInputPassThrough {
  constructor(
    name: string, className: string, inputs: readonly number[], shape: readonly number[],
    private readonly scale: number, private readonly offset: number,
  ) {
    super(name, className, inputs, shape, shape);
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    const y = tf.mul(inputs[0], this.scale);
    return this.offset === 0 ? y : tf.add(y, this.offset);
  }

  override forwardDelta(deltas: tf.Tensor[]): tf.Tensor {
    return tf.mul(deltas[0], this.scale);
  }

  override posNeg(ctx: DeepLiftContext): PosNeg {
    const { pos, neg } = ctx.posNeg(this.inputs[0]);
    const s = this.scale;
    return s >= 0 ? { pos: tf.mul(pos, s), neg: tf.mul(neg, s) } : { pos: tf.mul(neg, s), neg: tf.mul(pos, s) };
  }

  override backward(_ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    if (this.scale >= 0 || m.pos === m.neg) return [mapMultipliers(m, (t) => tf.mul(t, this.scale))];
    return [{ pos: tf.mul(m.neg, this.scale), neg: tf.mul(m.pos, this.scale) }];
  }

  protected transpose(m: tf.Tensor): tf.Tensor {
    return tf.mul(m, this.scale);
  }
}

/**
 * Subtract: y = a − b, the Linear rule with weights +1 and −1: Δy⁺ = Δa⁺ − Δb⁻,
 * Δy⁻ = Δa⁻ − Δb⁺; a gets (m⁺, m⁻), b gets (−m⁻, −m⁺).
 */
export class SubtractNode implements DeepLiftNode {
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
  ) {}

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.sub(inputs[0], inputs[1]);
  }

  forwardDelta(deltas: tf.Tensor[]): tf.Tensor {
    return this.forward(deltas);
  }

  posNeg(ctx: DeepLiftContext): PosNeg {
    const a = ctx.posNeg(this.inputs[0]);
    const b = ctx.posNeg(this.inputs[1]);
    return { pos: tf.sub(a.pos, b.neg), neg: tf.sub(a.neg, b.pos) };
  }

  backward(_ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    const negPos = tf.neg(m.pos);
    const negNeg = m.neg === m.pos ? negPos : tf.neg(m.neg);
    return [m, { pos: negNeg, neg: negPos }];
  }

  dispose(): void {}
}
