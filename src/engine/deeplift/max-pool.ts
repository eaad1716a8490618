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
  NEAR_ZERO_THRESHOLD, cropHW, mapMultipliers, splitBySign,
} from './node';
import { convAxis, spreadStrided, windowSums } from './linear';

export class MaxPoolNode implements DeepLiftNode {
  readonly posNegFromDelta = true;

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
    const zeros = tf.zerosLike(ctx.act(self));
    return { pos: zeros, neg: zeros };
  }

  prepareBackward(ctx: DeepLiftContext, self: number): void {
    ctx.act(this.inputs[0]);
    if (ctx.poolMode === 'crossmax') this.crossmaxRatio(ctx, self);
  }

  /** Δy_w / Σ_{i∈w}Δxᵢ per window (0 where the sum is near zero) and the near-zero mask. */
  private crossmaxRatio(ctx: DeepLiftContext, self: number): PosNeg {
    return ctx.memo(self, 'crossmax', () => {
      // Read before the tidy: values the context makes on demand must outlive it.
      const dx = ctx.delta(this.inputs[0]);
      const dy = ctx.delta(self);
      return tf.tidy(() => {
        const sums = windowSums(this.inShape, this.poolSize, this.strides, this.padding);
        const sumDelta = sums.apply(dx);
        const near = tf.less(tf.abs(sumDelta), NEAR_ZERO_THRESHOLD);
        return { pos: tf.where(near, tf.zerosLike(sumDelta), tf.div(dy, sumDelta)), neg: tf.cast(near, 'float32') };
      });
    });
  }

  /** max_pool_grad at the input activation x, for a batch of multipliers. */
  private gradientRoute(ctx: DeepLiftContext, m: tf.Tensor): tf.Tensor {
    return this.route(ctx.act(this.inputs[0]), m);
  }

  /**
   * TF's max_pool_grad: each window's m goes to the first maximum of x in
   * row-major window order. Written out tap by tap because the backends
   * disagree on ties (tfjs-backend-wasm's MaxPoolGrad takes the last
   * maximum, the CPU backend and TF the first), and ties are common (ReLU
   * zeros, quantised photos).
   * @param x [1 or B, ...inShape]; m [B, ...shape]. Returns [B, ...inShape].
   */
  route(x: tf.Tensor, m: tf.Tensor): tf.Tensor {
    const [kh, kw] = this.poolSize;
    const [sh, sw] = this.strides;
    const [inH, inW, c] = this.inShape;
    const [outH, outW] = this.shape;
    const rows = convAxis(inH, kh, sh, this.padding);
    const cols = convAxis(inW, kw, sw, this.padding);
    const padH = Math.max(0, (outH - 1) * sh + kh - inH - rows.before);
    const padW = Math.max(0, (outW - 1) * sw + kw - inW - cols.before);
    // Padding never wins a window: a finite "−∞" (GPU shaders may mishandle real infinities).
    const xp = tf.pad(x, [[0, 0], [rows.before, padH], [cols.before, padW], [0, 0]], -1e30);
    const fullH = inH + rows.before + padH;
    const fullW = inW + cols.before + padW;
    const max = this.forward([x]);
    let taken: tf.Tensor = tf.zerosLike(max);
    const parts: tf.Tensor[] = [];
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const tap = tf.stridedSlice(xp, [0, ky, kx, 0],
          [x.shape[0], ky + (outH - 1) * sh + 1, kx + (outW - 1) * sw + 1, c], [1, sh, sw, 1]);
        const first = tf.mul(tf.cast(tf.equal(tap, max), 'float32'), tf.sub(1, taken));
        taken = tf.add(taken, first);
        // Back to the padded grid: zeros between the strided entries, then the tap's offset.
        const routed = spreadStrided(tf.mul(m, first), sh, sw);
        parts.push(tf.pad(routed, [[0, 0], [ky, fullH - ky - (routed.shape[1] as number)], [kx, fullW - kx - (routed.shape[2] as number)], [0, 0]]));
      }
    }
    return cropHW(tf.addN(parts), rows.before, cols.before, inH, inW);
  }

  backward(ctx: DeepLiftContext, self: number, m: Multipliers): Multipliers[] {
    if (ctx.poolMode === 'gradient') {
      return [mapMultipliers(m, (t) => this.gradientRoute(ctx, t))];
    }
    const sums = windowSums(this.inShape, this.poolSize, this.strides, this.padding);
    const { pos: ratio, neg: nearMask } = this.crossmaxRatio(ctx, self);
    return [mapMultipliers(m, (t) => tf.add(
      sums.transpose(tf.mul(t, ratio)),
      this.gradientRoute(ctx, tf.mul(t, nearMask)),
    ))];
  }

  dispose(): void {}
}
