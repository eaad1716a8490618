/**
 * Redirected ReLU gradients (lucid's `redirected_relu_grad`, used by its
 * `render_vis` for every visualisation; Distill "Feature Visualization"
 * mentions the dead-unit problem it solves): a channel that is off (pre-ReLU
 * value < 0) everywhere on the starting image gets exactly zero gradient
 * through its ReLU, so plain gradient ascent can never turn it on and the
 * visualisation stays grey. When a ReLU passes no gradient at all, this one
 * lets the gradient through wherever it would raise the unit (and still
 * blocks it where it would push an already-negative unit lower). Where the
 * ordinary gradient is not all zero it is used unchanged, so live units
 * optimise exactly as before. The forward pass is an ordinary ReLU.
 */
import * as tf from '@tensorflow/tfjs';

/** ReLU with the redirected gradient. Differentiable (custom gradient). */
export const redirectedRelu: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.relu(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input] = saved;
      const reluGrad = tf.mul(dy, tf.step(input));
      // dy > 0 on a negative unit: descent on the loss would push it lower; keep that blocked.
      const pushesLower = tf.logicalAnd(tf.less(input, 0), tf.greater(dy, 0));
      const redirected = tf.where(pushesLower, tf.zerosLike(dy), dy);
      const useRelu = tf.cast(tf.greater(tf.sum(tf.abs(reluGrad)), 0), 'float32');
      return tf.add(tf.mul(reluGrad, useRelu), tf.mul(redirected, tf.sub(1, useRelu)));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

interface PatchableLayer {
  activation?: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string } | null;
  call: (inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor | tf.Tensor[];
  getClassName(): string;
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  strides?: number[];
  padding?: 'valid' | 'same';
  dataFormat?: string;
  dilationRate?: number | number[];
}

/**
 * A Conv2D + ReLU layer's call with the redirected ReLU. Written with the
 * plain conv2d op rather than the layer's fused one: tfjs's fused conv2d
 * gradient also computes the kernel's gradient (Conv2DBackpropFilter), which
 * WASM lacks, while the plain op's tape computes only what leads to the image.
 */
function redirectedConvCall(layer: PatchableLayer): PatchableLayer['call'] {
  return (inputs) => tf.tidy(() => {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const d = layer.dilationRate ?? 1;
    const dilation = (Array.isArray(d) ? [d[0], d[1] ?? d[0]] : [d, d]) as [number, number];
    const strides = (layer.strides ?? [1, 1]) as [number, number];
    let out: tf.Tensor = tf.conv2d(x, layer.kernel!.read() as tf.Tensor4D, strides, layer.padding ?? 'valid', 'NHWC', dilation);
    if (layer.bias) out = tf.add(out, layer.bias.read());
    return redirectedRelu(out);
  });
}

/**
 * Runs `fn` with every ReLU of `model`'s layers replaced by redirectedRelu
 * (Conv2D layers get the call above; other layers with a 'relu' activation get
 * it swapped), and restores them before returning, also on error. Synchronous
 * on purpose: nothing else can run on the model (a dream sharing the worker)
 * while it is patched.
 */
export function withRedirectedRelu<T>(model: tf.LayersModel, fn: () => T): T {
  const restore: (() => void)[] = [];
  for (const layer of model.layers as unknown as PatchableLayer[]) {
    const a = layer.activation;
    if (!a || a.getClassName().toLowerCase() !== 'relu') continue;
    if (layer.getClassName() === 'Conv2D' && layer.kernel && (layer.dataFormat ?? 'channelsLast') === 'channelsLast') {
      const original = layer.call;
      layer.call = redirectedConvCall(layer);
      restore.push(() => {
        layer.call = original;
      });
    } else {
      // Another class name, so tfjs does not fuse a plain ReLU into the layer instead of calling apply().
      layer.activation = { apply: (x) => redirectedRelu(x), getClassName: () => 'RedirectedRelu' };
      restore.push(() => {
        layer.activation = a;
      });
    }
  }
  try {
    return fn();
  } finally {
    for (const r of restore) r();
  }
}
