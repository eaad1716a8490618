/**
 * Convolutions whose gradient with respect to their input exists on every
 * tfjs backend, for models that are only ever differentiated with respect to
 * the image (Deep Dream, feature visualisation).
 *
 * Two gaps of tfjs 4.22 on WASM, where dreams of user models failed:
 * - tfjs-layers' Conv2D runs `tf.fused.conv2d`; under a gradient tape with a
 *   linear activation (a conv whose batch norm was folded in, a MobileNetV2
 *   projection) it stays fused, and the fused op's gradient always computes
 *   the kernel's gradient too (Conv2DBackpropFilter, which WASM lacks). The
 *   plain conv2d op's tape computes only what leads to the image.
 * - DepthwiseConv2D (and the depthwise half of SeparableConv2D) has no input
 *   gradient kernel on WASM (DepthwiseConv2dNativeBackpropInput); its
 *   gradient is given here as the transpose the DeepLIFT engine writes out
 *   (deeplift/linear.ts: `depthwiseConv2dOp`), from ops every backend has.
 * The InceptionV3 trunk escaped the first gap only because its folded convs
 * carry their ReLU (a non-linear activation is never fused under a tape).
 */
import * as tf from '@tensorflow/tfjs';
import { depthwiseConv2dOp } from '../deeplift/linear';

type Padding = 'valid' | 'same';

/** The fields of tfjs-layers' conv layers this file reads (not in tfjs' public typings). */
interface ConvLayer {
  call: (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
  getClassName(): string;
  kernel?: { read(): tf.Tensor };
  depthwiseKernel?: { read(): tf.Tensor };
  pointwiseKernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  strides?: number[];
  padding?: Padding;
  dataFormat?: string;
  dilationRate?: number | number[];
  activation?: { apply(x: tf.Tensor): tf.Tensor };
}

const pair = (v: number | number[] | undefined): [number, number] => (Array.isArray(v) ? [v[0] ?? 1, v[1] ?? v[0] ?? 1] : [v ?? 1, v ?? 1]);

/**
 * A depthwise convolution of x ([1, h, w, c], NHWC, dilation 1) whose
 * gradient w.r.t. x is the written-out transpose; no gradient flows to the
 * kernel. Does not dispose its inputs.
 */
export function depthwiseForInput(x: tf.Tensor4D, kernel: tf.Tensor4D, strides: [number, number], padding: Padding): tf.Tensor4D {
  const op = depthwiseConv2dOp(kernel, null, x.shape.slice(1), strides, padding);
  const f = tf.customGrad(((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: op.apply(input, kernel) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor) => tf.tidy(() => {
        const flipped = op.prepareTranspose(kernel)!;
        return op.transpose(dy, kernel, flipped);
      }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}

/** The layer's call rewritten with plain ops, or null when it is not one this file rewrites. */
function plainCall(layer: ConvLayer): ConvLayer['call'] | null {
  const kind = layer.getClassName();
  if ((layer.dataFormat ?? 'channelsLast') !== 'channelsLast') return null;
  const dilation = pair(layer.dilationRate);
  const strides = pair(layer.strides);
  const padding = layer.padding ?? 'valid';
  const finish = (y: tf.Tensor): tf.Tensor => {
    const withBias = layer.bias ? tf.add(y, layer.bias.read()) : y;
    return layer.activation ? layer.activation.apply(withBias) : withBias;
  };
  const input = (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
  if (kind === 'Conv2D' && layer.kernel) {
    return (inputs) => tf.tidy(() => finish(tf.conv2d(input(inputs), layer.kernel!.read() as tf.Tensor4D, strides, padding, 'NHWC', dilation)));
  }
  // The written-out depthwise transpose is for dilation 1 (dilated depthwise convs keep tfjs' own op).
  if (dilation[0] !== 1 || dilation[1] !== 1) return null;
  if (kind === 'DepthwiseConv2D' && layer.depthwiseKernel) {
    return (inputs) => tf.tidy(() => finish(depthwiseForInput(input(inputs), layer.depthwiseKernel!.read() as tf.Tensor4D, strides, padding)));
  }
  if (kind === 'SeparableConv2D' && layer.depthwiseKernel && layer.pointwiseKernel) {
    return (inputs) => tf.tidy(() => {
      const depthwise = depthwiseForInput(input(inputs), layer.depthwiseKernel!.read() as tf.Tensor4D, strides, padding);
      return finish(tf.conv2d(depthwise, layer.pointwiseKernel!.read() as tf.Tensor4D, 1, 'valid'));
    });
  }
  return null;
}

/**
 * Makes every Conv2D, DepthwiseConv2D and SeparableConv2D layer of `model`
 * compute with plain ops whose input gradients exist on every backend (same
 * outputs). Permanent: for models that are only differentiated w.r.t. their
 * input and that the caller owns (a DreamModel's trunk). Returns how many
 * layers were rewritten.
 */
export function useInputOnlyGradients(model: tf.LayersModel): number {
  let count = 0;
  for (const layer of model.layers as unknown as ConvLayer[]) {
    const call = plainCall(layer);
    if (call) {
      layer.call = call;
      count++;
    }
  }
  return count;
}
