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
import { type RevealCancelState, revealCancelContribs, revealCancelFactors } from './reveal-cancel';

export class ActivationNode implements DeepLiftNode {
  /** Per-call memo of the Rescale factor, keyed by context. */
  private readonly factors = new WeakMap<DeepLiftContext, tf.Tensor>();
  /** Per-call memo of the RevealCancel state, keyed by context. */
  private readonly revealCancel = new WeakMap<DeepLiftContext, RevealCancelState>();

  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    readonly activation: ElementwiseActivation,
  ) {}

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return this.activation.apply(inputs[0]);
  }

  private rescale(ctx: DeepLiftContext, self: number): tf.Tensor {
    let factor = this.factors.get(ctx);
    if (!factor) {
      factor = rescaleFactor(this.activation, ctx.delta(this.inputs[0]), ctx.delta(self), ctx.ref(self));
      this.factors.set(ctx, factor);
    }
    return factor;
  }

  private revealCancelState(ctx: DeepLiftContext): RevealCancelState {
    let state = this.revealCancel.get(ctx);
    if (!state) {
      state = revealCancelContribs(this.activation, ctx.posNeg(this.inputs[0]), ctx.ref(this.inputs[0]));
      this.revealCancel.set(ctx, state);
    }
    return state;
  }

  posNeg(ctx: DeepLiftContext, self: number): PosNeg {
    if (ctx.rule === 'revealcancel') return this.revealCancelState(ctx).contribs;
    const input = ctx.posNeg(this.inputs[0]);
    const factor = this.rescale(ctx, self);
    return { pos: tf.mul(input.pos, factor), neg: tf.mul(input.neg, factor) };
  }

  backward(ctx: DeepLiftContext, self: number, m: Multipliers): Multipliers[] {
    if (ctx.rule === 'revealcancel') {
      const factors = revealCancelFactors(this.revealCancelState(ctx));
      return [{ pos: tf.mul(m.pos, factors.pos), neg: tf.mul(m.neg, factors.neg) }];
    }
    const factor = this.rescale(ctx, self);
    const pos = tf.mul(m.pos, factor);
    return [{ pos, neg: m.neg === m.pos ? pos : tf.mul(m.neg, factor) }];
  }

  dispose(): void {}
}
