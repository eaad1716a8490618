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
import {
  type DeepLiftContext, type DeepLiftNode, type Multipliers, type PosNeg,
  linearTranspose, mapMultipliers, mapPosNeg,
} from './node';

abstract class SingleInputPassThrough implements DeepLiftNode {
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    protected readonly inShape: readonly number[],
  ) {}

  abstract forward(inputs: tf.Tensor[]): tf.Tensor;
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

  protected transpose(m: tf.Tensor): tf.Tensor {
    // tfjs's AvgPool gradient divides by the whole window even where 'same' padding leaves fewer inputs,
    // while the forward pass divides by the inputs present; scaling m by window/present makes it the exact transpose.
    const scaled = this.padding === 'same' ? tf.mul(m, this.windowOverPresent()) : m;
    return linearTranspose((z) => this.forward([z]), [m.shape[0], ...this.inShape], scaled);
  }

  /** [1, outH, outW, 1]: kh·kw over the number of input positions each window covers. */
  private windowOverPresent(): tf.Tensor {
    const [kh, kw] = this.poolSize;
    const present = tf.conv2d(tf.ones([1, this.inShape[0], this.inShape[1], 1]) as tf.Tensor4D, tf.ones([kh, kw, 1, 1]) as tf.Tensor4D, this.strides, 'same');
    return tf.div(kh * kw, present);
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
