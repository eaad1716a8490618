/**
 * An elementwise nonlinearity node (a Keras Activation/ReLU/LeakyReLU/ELU
 * layer, or the `activation` of a Dense/Conv layer split off as its own
 * node, as the reference code's Keras conversion does). Depending on the
 * call's rule it applies Rescale (rescale.ts) or RevealCancel
 * (reveal-cancel.ts) — the reference code's `NonlinearMxtsMode.Rescale` /
 * `.RevealCancel` set for every nonlinearity of the model.
 */
import * as tf from '@tensorflow/tfjs';
import type { ElementwiseActivation } from './activations';
import type { DeepLiftContext, DeepLiftNode, Multipliers, PosNeg } from './node';
import { rescaleFactor } from './rescale';
import { pseudocounted, revealCancelContribs, revealCancelFactors } from './reveal-cancel';

export class ActivationNode implements DeepLiftNode {
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    readonly activation: ElementwiseActivation,
  ) {}

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return this.activation.apply(inputs[0]);
  }

  /** The Rescale factor (memoised in the call's context). */
  private rescale(ctx: DeepLiftContext, self: number): tf.Tensor {
    return ctx.memo(self, 'rescale', () =>
      rescaleFactor(this.activation, ctx.delta(this.inputs[0]), ctx.delta(self), ctx.ref(self)));
  }

  /** pc(Δx⁺), pc(Δx⁻) of the input's contributions (memoised). */
  private pseudocounted(ctx: DeepLiftContext, self: number): PosNeg {
    return ctx.memo(self, 'pseudocounted', () => pseudocounted(ctx.posNeg(this.inputs[0])));
  }

  /** Δy⁺/Δy⁻ under RevealCancel (memoised); f(x₀) is the node's own reference value. */
  private revealCancelContribs(ctx: DeepLiftContext, self: number): PosNeg {
    return ctx.memo(self, 'revealcancel', () => revealCancelContribs(
      this.activation, this.pseudocounted(ctx, self), ctx.ref(this.inputs[0]), ctx.ref(self)));
  }

  /** The RevealCancel factors Δy⁺/P, Δy⁻/N (memoised). */
  private revealCancelFactors(ctx: DeepLiftContext, self: number): PosNeg {
    return ctx.memo(self, 'revealcancel-factors', () =>
      revealCancelFactors(this.revealCancelContribs(ctx, self), this.pseudocounted(ctx, self)));
  }

  posNeg(ctx: DeepLiftContext, self: number): PosNeg {
    if (ctx.rule === 'revealcancel') return this.revealCancelContribs(ctx, self);
    const input = ctx.posNeg(this.inputs[0]);
    const factor = this.rescale(ctx, self);
    return { pos: tf.mul(input.pos, factor), neg: tf.mul(input.neg, factor) };
  }

  prepareBackward(ctx: DeepLiftContext, self: number): void {
    if (ctx.rule === 'revealcancel') this.revealCancelFactors(ctx, self);
    else this.rescale(ctx, self);
  }

  backward(ctx: DeepLiftContext, self: number, m: Multipliers): Multipliers[] {
    if (ctx.rule === 'revealcancel') {
      const factors = this.revealCancelFactors(ctx, self);
      return [{ pos: tf.mul(m.pos, factors.pos), neg: tf.mul(m.neg, factors.neg) }];
    }
    const factor = this.rescale(ctx, self);
    const pos = tf.mul(m.pos, factor);
    return [{ pos, neg: m.neg === m.pos ? pos : tf.mul(m.neg, factor) }];
  }

  dispose(): void {}
}
