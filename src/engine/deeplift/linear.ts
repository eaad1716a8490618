/**
 * DeepLIFT's Linear rule (Shrikumar et al. 2017, §3.5.1) for layers with
 * weights: Dense, Conv2D and DepthwiseConv2D (a conv's activation, if any,
 * becomes a separate activation node, as the reference code's Keras
 * conversion does: `conv2d_conversion`/`dense_conversion` emit a
 * "preact_" linear layer followed by the activation layer).
 *
 * Transcribed from the reference code (kundajelab/deeplift,
 * deeplift/layers/core.py `Dense`, deeplift/layers/convolutional.py
 * `Conv2D`):
 * - Forward contributions [`_build_pos_and_neg_contribs`]: with
 *   Δx⁺ = Δx·[Δx>0], Δx⁻ = Δx·[Δx<0], W⁺ = W·[W>0], W⁻ = W·[W<0]:
 *   Δy⁺ = W⁺Δx⁺ + W⁻Δx⁻ and Δy⁻ = W⁻Δx⁺ + W⁺Δx⁻ (the sign of each
 *   wᵢΔxᵢ decides). The bias contributes nothing.
 * - Backward [`_get_mxts_increments_for_inputs`]: each *input* unit picks
 *   its multiplier by the sign of its own Δx:
 *     Δx > 0: m⁺·W⁺ᵀ + m⁻·W⁻ᵀ
 *     Δx < 0: m⁺·W⁻ᵀ + m⁻·W⁺ᵀ
 *     Δx = 0 (exactly): ½(m⁺ + m⁻)·Wᵀ
 *   and the input's positive and negative multipliers both receive that same
 *   increment (the split of Δx was not used to form Δy⁺/Δy⁻).
 *   When m⁺ and m⁻ are the same tensor (no RevealCancel layer above) all
 *   three cases equal m·Wᵀ, which is what we compute then: one matMul /
 *   conv2dTranspose instead of five (identical up to float32 rounding of
 *   W⁺ + W⁻ = W).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type DeepLiftContext, type DeepLiftNode, type Multipliers, type PosNeg,
  eqMask, gtMask, linearTranspose, ltMask, splitBySign,
} from './node';

/** The weight-dependent part of a linear layer, without the bias. */
export interface KernelOp {
  /** y = x ⊛ kernel (no bias), x: [B, ...inShape]. */
  apply(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
  /** x-shaped transpose: kernelᵀ applied to m: [B, ...outShape] → [B, ...inShape]. */
  transpose(m: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
  /** y = x ⊛ kernel + bias, possibly as one fused op. */
  applyWithBias(x: tf.Tensor): tf.Tensor;
}

export type Padding = 'valid' | 'same';

/** Dense: y = x·W + b, x: [B, n], W: [n, k]. */
export function denseOp(kernel: tf.Tensor2D, bias: tf.Tensor1D | null): KernelOp {
  return {
    apply: (x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    transpose: (m, w) => tf.matMul(m as tf.Tensor2D, w as tf.Tensor2D, false, true),
    applyWithBias: (x) => tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel, bias: bias ?? undefined }),
  };
}

/** Conv2D (NHWC, dilation 1): kernel [kh, kw, cin, cout]. */
export function conv2dOp(
  kernel: tf.Tensor4D, bias: tf.Tensor1D | null, inShape: readonly number[],
  strides: [number, number], padding: Padding,
): KernelOp {
  return {
    apply: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, padding),
    transpose: (m, w) => tf.conv2dTranspose(
      m as tf.Tensor4D, w as tf.Tensor4D,
      [m.shape[0], inShape[0], inShape[1], inShape[2]], strides, padding),
    applyWithBias: (x) => tf.fused.conv2d({
      x: x as tf.Tensor4D, filter: kernel, strides, pad: padding, bias: bias ?? undefined,
    }),
  };
}

/** DepthwiseConv2D (NHWC, dilation 1): kernel [kh, kw, cin, multiplier]. */
export function depthwiseConv2dOp(
  kernel: tf.Tensor4D, bias: tf.Tensor1D | null, inShape: readonly number[],
  strides: [number, number], padding: Padding,
): KernelOp {
  const apply = (x: tf.Tensor, w: tf.Tensor) =>
    tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, padding);
  return {
    apply,
    transpose: (m, w) => linearTranspose((z) => apply(z, w), [m.shape[0], ...inShape], m),
    applyWithBias: (x) => (bias ? tf.add(apply(x, kernel), bias) : apply(x, kernel)),
  };
}

/** A Dense/Conv2D/DepthwiseConv2D layer under the Linear rule. */
export class WeightedLinearNode implements DeepLiftNode {
  private readonly kernelPos: tf.Tensor;
  private readonly kernelNeg: tf.Tensor;

  /**
   * @param kernel the layer's kernel; not owned (the model keeps it).
   * W⁺ and W⁻ are derived here and owned by the node until `dispose`.
   */
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    private readonly kernel: tf.Tensor, private readonly op: KernelOp,
  ) {
    this.kernelPos = tf.tidy(() => tf.keep(tf.mul(kernel, gtMask(kernel))));
    this.kernelNeg = tf.tidy(() => tf.keep(tf.mul(kernel, ltMask(kernel))));
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return this.op.applyWithBias(inputs[0]);
  }

  posNeg(ctx: DeepLiftContext): PosNeg {
    const { pos: dxPos, neg: dxNeg } = splitBySign(ctx.delta(this.inputs[0]));
    const { op, kernelPos: wPos, kernelNeg: wNeg } = this;
    return {
      pos: tf.add(op.apply(dxPos, wPos), op.apply(dxNeg, wNeg)),
      neg: tf.add(op.apply(dxPos, wNeg), op.apply(dxNeg, wPos)),
    };
  }

  backward(ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    const { op } = this;
    if (m.pos === m.neg) {
      const inc = op.transpose(m.pos, this.kernel);
      return [{ pos: inc, neg: inc }];
    }
    const dx = ctx.delta(this.inputs[0]);
    const whenPos = tf.add(op.transpose(m.pos, this.kernelPos), op.transpose(m.neg, this.kernelNeg));
    const whenNeg = tf.add(op.transpose(m.pos, this.kernelNeg), op.transpose(m.neg, this.kernelPos));
    const whenZero = op.transpose(tf.mul(0.5, tf.add(m.pos, m.neg)), this.kernel);
    const inc = tf.addN([
      tf.mul(gtMask(dx), whenPos), tf.mul(ltMask(dx), whenNeg), tf.mul(eqMask(dx), whenZero),
    ]);
    return [{ pos: inc, neg: inc }];
  }

  dispose(): void {
    this.kernelPos.dispose();
    this.kernelNeg.dispose();
  }
}
