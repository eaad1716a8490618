/**
 * Inference-mode BatchNormalization under DeepLIFT's Linear rule (paper
 * §3.5.1): y = γ·(x − μ)/√(σ² + ε) + β per channel (last axis).
 *
 * Transcribed from the reference code (kundajelab/deeplift,
 * deeplift/layers/normalization.py `BatchNormalization`):
 * - forward value as TF's `tf.nn.batch_normalization`:
 *   x·inv + (β − μ·inv) with inv = γ·rsqrt(σ² + ε);
 * - Δy⁺ = s(Δx⁺)·[γ>0] + s(Δx⁻)·[γ<0], Δy⁻ = s(Δx⁻)·[γ>0] + s(Δx⁺)·[γ<0]
 *   with s(t) = t·inv (`_batchnorm_scaling_terms_only`);
 * - backward: with std = √(σ² + ε),
 *   m⁺_in = m⁺·γ⁺/std + m⁻·γ⁻/std and m⁻_in = m⁺·γ⁻/std + m⁻·γ⁺/std
 *   (a negative γ swaps the roles of positive and negative). When
 *   m⁺ = m⁻ both reduce exactly to m·γ/std (one of γ⁺, γ⁻ is zero).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type DeepLiftContext, type DeepLiftNode, type Multipliers, type PosNeg, gtMask, ltMask,
} from './node';

export interface BatchNormParams {
  /** Each [channels]; owned by the node after construction. */
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  epsilon: number;
}

export class BatchNormNode implements DeepLiftNode {
  private readonly inv: tf.Tensor;
  private readonly shift: tf.Tensor;
  private readonly gammaPosMask: tf.Tensor;
  private readonly gammaNegMask: tf.Tensor;
  private readonly gammaOverStd: tf.Tensor;
  private readonly gammaPosOverStd: tf.Tensor;
  private readonly gammaNegOverStd: tf.Tensor;

  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    p: BatchNormParams,
  ) {
    const keep = <T extends tf.Tensor>(f: () => T): T => tf.tidy(() => tf.keep(f()));
    this.inv = keep(() => tf.mul(tf.rsqrt(tf.add(p.variance, p.epsilon)), p.gamma));
    this.shift = keep(() => tf.sub(p.beta, tf.mul(p.mean, this.inv)));
    this.gammaPosMask = keep(() => gtMask(p.gamma));
    this.gammaNegMask = keep(() => ltMask(p.gamma));
    const std = tf.tidy(() => tf.sqrt(tf.add(p.variance, p.epsilon)));
    this.gammaOverStd = keep(() => tf.div(p.gamma, std));
    this.gammaPosOverStd = keep(() => tf.div(tf.mul(p.gamma, this.gammaPosMask), std));
    this.gammaNegOverStd = keep(() => tf.div(tf.mul(p.gamma, this.gammaNegMask), std));
    std.dispose();
    for (const t of [p.gamma, p.beta, p.mean, p.variance]) t.dispose();
  }

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return tf.add(tf.mul(inputs[0], this.inv), this.shift);
  }

  forwardDelta(deltas: tf.Tensor[]): tf.Tensor {
    return tf.mul(deltas[0], this.inv);
  }

  posNeg(ctx: DeepLiftContext): PosNeg {
    const { pos, neg } = ctx.posNeg(this.inputs[0]);
    const sPos = tf.mul(pos, this.inv);
    const sNeg = tf.mul(neg, this.inv);
    return {
      pos: tf.add(tf.mul(sPos, this.gammaPosMask), tf.mul(sNeg, this.gammaNegMask)),
      neg: tf.add(tf.mul(sNeg, this.gammaPosMask), tf.mul(sPos, this.gammaNegMask)),
    };
  }

  backward(_ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    if (m.pos === m.neg) {
      const inc = tf.mul(m.pos, this.gammaOverStd);
      return [{ pos: inc, neg: inc }];
    }
    return [{
      pos: tf.add(tf.mul(m.pos, this.gammaPosOverStd), tf.mul(m.neg, this.gammaNegOverStd)),
      neg: tf.add(tf.mul(m.pos, this.gammaNegOverStd), tf.mul(m.neg, this.gammaPosOverStd)),
    }];
  }

  dispose(): void {
    for (const t of [this.inv, this.shift, this.gammaPosMask, this.gammaNegMask,
      this.gammaOverStd, this.gammaPosOverStd, this.gammaNegOverStd]) t.dispose();
  }
}
