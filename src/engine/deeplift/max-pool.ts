/**
 * MaxPooling2D under DeepLIFT, two modes.
 *
 * 'gradient' (default) — what the authors' reference code does
 * (kundajelab/deeplift, deeplift/layers/pooling.py `MaxPool2D`, the only
 * `MaxPoolDeepLiftMode` in the TF version, and the Keras converter's
 * `default_maxpool_deeplift_mode`): the multipliers are routed with TF's
 * `max_pool_grad` evaluated at the *input's* activation (not the
 * reference's): each window's multiplier goes entirely to the position of
 * its maximum in x (the first one in row-major order on ties, as the
 * TF and tfjs kernels pick it), separately for m⁺ and m⁻. The
 * layer's Δy⁺/Δy⁻ are placeholders of zeros (`_build_pos_and_neg_contribs`:
 * the code assumes a linear layer follows). This mode does not guarantee
 * summation-to-delta: a window whose maximum moves between x₀ and x is
 * credited as if it had not moved.
 *
 * 'crossmax' — our option, not in the reference code: each window is
 * treated as one nonlinearity y = max(x₁…xₙ) of all its inputs and its
 * Δy is shared by the Rescale idea across the window: every input of window
 * w gets multiplier m_w·Δy_w / Σ_{i∈w}Δxᵢ, so Σᵢ mᵢΔxᵢ = Σ_w m_wΔy_w
 * (summation-to-delta holds through the layer, overlapping windows add up).
 * When |Σ_{i∈w}Δxᵢ| < 10⁻⁷ the window falls back to the gradient routing.
 * Its Δy⁺/Δy⁻ are Δy·[Δy>0] and Δy·[Δy<0].
 */
import * as tf from '@tensorflow/tfjs';
import {
  type DeepLiftContext, type DeepLiftNode, type Multipliers, type PosNeg,
  NEAR_ZERO_THRESHOLD, linearTranspose, mapMultipliers, splitBySign,
} from './node';

export class MaxPoolNode implements DeepLiftNode {
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    private readonly inShape: readonly number[],
    private readonly poolSize: [number, number], private readonly strides: [number, number],
    private readonly padding: 'valid' | 'same',
  ) {}

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.maxPool(inputs[0] as tf.Tensor4D, this.poolSize, this.strides, this.padding);
  }

  posNeg(ctx: DeepLiftContext, self: number): PosNeg {
    if (ctx.poolMode === 'crossmax') return splitBySign(ctx.delta(self));
    const zeros = tf.zeros([1, ...this.shape]);
    return { pos: zeros, neg: zeros };
  }

  /** max_pool_grad at the input activation x, for a batch of multipliers. */
  private gradientRoute(ctx: DeepLiftContext, m: tf.Tensor): tf.Tensor {
    const x = ctx.act(this.inputs[0]);
    const tiled = m.shape[0] === 1 ? x : tf.tile(x, [m.shape[0], 1, 1, 1]);
    return tf.grad((z: tf.Tensor) => this.forward([z]))(tiled, m);
  }

  backward(ctx: DeepLiftContext, self: number, m: Multipliers): Multipliers[] {
    if (ctx.poolMode === 'gradient') {
      return [mapMultipliers(m, (t) => this.gradientRoute(ctx, t))];
    }
    const channels = this.inShape[2];
    const ones = tf.ones([this.poolSize[0], this.poolSize[1], channels, 1]) as tf.Tensor4D;
    const windowSum = (z: tf.Tensor) =>
      tf.depthwiseConv2d(z as tf.Tensor4D, ones, this.strides, this.padding);
    const sumDelta = windowSum(ctx.delta(this.inputs[0]));
    const near = tf.less(tf.abs(sumDelta), NEAR_ZERO_THRESHOLD);
    const ratio = tf.where(near, tf.zerosLike(sumDelta), tf.div(ctx.delta(self), sumDelta));
    const nearMask = tf.cast(near, 'float32');
    // The window sum's transpose through AvgPool's gradient, which tfjs computes as Sᵀ(m)/(kh·kw) whatever the
    // padding (see AvgPoolNode): the depthwise conv's own gradient has no WASM kernel.
    const [kh, kw] = this.poolSize;
    const avg = (z: tf.Tensor) => tf.avgPool(z as tf.Tensor4D, this.poolSize, this.strides, this.padding);
    return [mapMultipliers(m, (t) => tf.add(
      linearTranspose(avg, [t.shape[0], ...this.inShape], tf.mul(t, tf.mul(ratio, kh * kw))),
      this.gradientRoute(ctx, tf.mul(t, nearMask)),
    ))];
  }

  dispose(): void {}
}
