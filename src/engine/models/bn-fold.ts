/**
 * Folding an inference-mode batch normalisation into the convolution before it
 * (Ioffe & Szegedy 2015, §3.1: at inference BN is the affine map
 * y = γ·(x − μ)/√(σ² + ε) + β per channel). With s = γ/√(σ² + ε), a conv
 * y = W∗x + b followed by BN equals the conv with W' = W·s (per output
 * channel) and b' = (b − μ)·s + β. γ is 1 when the BN has `scale: false`, β is
 * 0 when it has `center: false`.
 *
 * Why: tfjs 4.22 cannot take gradients through a BatchNormalization layer with
 * `scale: false` (tf.grad fails with "Cannot read properties of undefined
 * (reading 'dataId')"; checked in user-dream-model.test.ts), and a folded conv
 * is also one op less per step. A BN that has no conv to fold into is given an
 * explicit γ = 1 instead (`explicitScale`), which tfjs differentiates.
 */
import * as tf from '@tensorflow/tfjs';

/** The BN's parameters as plain per-channel arrays (γ = 1 / β = 0 where the layer has none). */
export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** The conv kinds a BN can fold into, by Keras class name. */
export const FOLDABLE_CONVS = ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D'] as const;

const weightNamed = (layer: tf.layers.Layer, suffix: string): tf.Tensor | null => {
  const i = layer.weights.findIndex((w) => w.originalName.endsWith(`/${suffix}`) || w.name.endsWith(`/${suffix}`));
  return i < 0 ? null : layer.getWeights()[i]!;
};

/** Reads a BatchNormalization layer's parameters (γ = 1, β = 0 where `scale` / `center` are off). */
export async function batchNormParams(layer: tf.layers.Layer): Promise<BatchNormParams> {
  const mean = weightNamed(layer, 'moving_mean');
  const variance = weightNamed(layer, 'moving_variance');
  if (!mean || !variance) throw new Error(`batch norm ${layer.name} has no moving statistics`);
  const n = mean.size;
  const gamma = weightNamed(layer, 'gamma');
  const beta = weightNamed(layer, 'beta');
  const config = layer.getConfig();
  return {
    gamma: gamma ? new Float32Array(await gamma.data()) : new Float32Array(n).fill(1),
    beta: beta ? new Float32Array(await beta.data()) : new Float32Array(n),
    mean: new Float32Array(await mean.data()),
    variance: new Float32Array(await variance.data()),
    epsilon: typeof config.epsilon === 'number' ? config.epsilon : 1e-3,
  };
}

/**
 * The weights of `conv` (a Conv2D, DepthwiseConv2D or SeparableConv2D with a
 * linear activation) with `bn` folded in, in the layer's weight order with a
 * bias always present: [kernel, bias] or, for SeparableConv2D, [depthwise,
 * pointwise, bias]. The caller owns the returned tensors.
 */
export async function foldedConvWeights(conv: tf.layers.Layer, bn: BatchNormParams): Promise<tf.Tensor[]> {
  const kind = conv.getClassName();
  const s = bn.gamma.map((g, c) => g / Math.sqrt(bn.variance[c]! + bn.epsilon));
  const oldBias = weightNamed(conv, 'bias');
  const b = oldBias ? await oldBias.data() : new Float32Array(s.length);
  const bias = tf.tensor1d(s.map((sc, c) => (b[c]! - bn.mean[c]!) * sc + bn.beta[c]!));
  return tf.tidy(() => {
    const scale = tf.tensor1d(s);
    if (kind === 'Conv2D') {
      // [kh, kw, in, out]: scale the output axis.
      return [tf.mul(weightNamed(conv, 'kernel')!, scale), bias];
    }
    if (kind === 'DepthwiseConv2D') {
      // [kh, kw, in, multiplier]: output channel c·multiplier + m.
      const kernel = weightNamed(conv, 'depthwise_kernel')!;
      const [, , inC, mult] = kernel.shape as number[];
      return [tf.mul(kernel, scale.reshape([inC!, mult!])), bias];
    }
    if (kind === 'SeparableConv2D') {
      // The pointwise kernel [1, 1, in·multiplier, out] makes the outputs.
      return [weightNamed(conv, 'depthwise_kernel')!.clone(), tf.mul(weightNamed(conv, 'pointwise_kernel')!, scale), bias];
    }
    throw new Error(`cannot fold a batch norm into a ${kind}`);
  });
}

/** A BN's weights with an explicit γ (ones where it had `scale: false`), in [γ, β?, μ, σ²] order. The caller owns them. */
export function explicitScaleWeights(layer: tf.layers.Layer): tf.Tensor[] {
  return tf.tidy(() => {
    const mean = weightNamed(layer, 'moving_mean')!;
    const gamma = weightNamed(layer, 'gamma') ?? tf.onesLike(mean);
    const beta = weightNamed(layer, 'beta');
    return [gamma.clone(), ...(beta ? [beta.clone()] : []), mean.clone(), weightNamed(layer, 'moving_variance')!.clone()];
  });
}
