/**
 * Keras features that tfjs-layers 4.x does not implement but Keras models
 * converted with `tensorflowjs_converter` use, registered so that such
 * models load and compute what Keras computes (importing this module
 * registers them; graph.ts imports it):
 * - the ReLU layer's `negative_slope` and `threshold` (tfjs keeps only
 *   `max_value` and would silently compute a plain ReLU);
 * - the activations 'silu' (Keras 3's name for swish) and 'exponential';
 * - the Subtract merge layer;
 * - DepthwiseConv2D's `dilation_rate` (ignored by tfjs);
 * - Reshape's −1 resolved at build time (tfjs leaves it unknown).
 * The ReLU keeps tfjs' class name 'ReLU', so serialisation is unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { activationByName, kerasRelu } from './activations';

interface KerasReluArgs {
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
  name?: string;
  inputShape?: number[];
}

/** Keras' ReLU layer with all three options. */
export class KerasReLU extends tf.layers.Layer {
  static className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: KerasReluArgs = {}) {
    super(args as tf.serialization.ConfigDict);
    this.maxValue = args.maxValue ?? null;
    this.negativeSlope = args.negativeSlope ?? 0;
    this.threshold = args.threshold ?? 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => kerasRelu(this.maxValue, this.negativeSlope, this.threshold).apply(x));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold,
    };
  }
}
tf.serialization.registerClass(KerasReLU);

/** A named elementwise activation that tfjs' Activation layer can look up. */
function registerActivation(className: string): void {
  const act = activationByName(className);
  if (!act || act === 'softmax') throw new Error(`no activation ${className}`);
  class Named extends tf.serialization.Serializable {
    static className = className;
    override getClassName(): string { return className; }
    apply(x: tf.Tensor): tf.Tensor { return tf.tidy(() => (act as { apply(t: tf.Tensor): tf.Tensor }).apply(x)); }
    getConfig(): tf.serialization.ConfigDict { return {}; }
  }
  tf.serialization.registerClass(Named as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
registerActivation('silu');
registerActivation('exponential');

/** Keras' Subtract merge layer (a − b), which tfjs-layers lacks. */
export class KerasSubtract extends tf.layers.Layer {
  static className = 'Subtract';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = inputs as tf.Tensor[];
    return tf.sub(a, b);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return (inputShape as tf.Shape[])[0];
  }
}
tf.serialization.registerClass(KerasSubtract);

type LayerCtor = new (args: tf.serialization.ConfigDict) => tf.layers.Layer;
const TfjsDepthwise = tf.layers.depthwiseConv2d({ kernelSize: 1 }).constructor as LayerCtor;

/**
 * DepthwiseConv2D honouring `dilation_rate`: tfjs-layers 4.22 passes no
 * dilation to the op (its call has a TODO) and sizes a 'valid' output
 * without it, so a dilated Keras model would silently compute something else.
 */
export class KerasDepthwiseConv2D extends TfjsDepthwise {
  static className = 'DepthwiseConv2D';

  private get fields() {
    return this as unknown as {
      depthwiseKernel: tf.LayerVariable; bias: tf.LayerVariable | null; useBias: boolean;
      strides: [number, number]; padding: 'valid' | 'same'; dilationRate: number | number[];
      kernelSize: [number, number]; depthMultiplier: number; dataFormat: string;
      activation: { apply(x: tf.Tensor): tf.Tensor } | null;
    };
  }

  private rate(): [number, number] {
    const d = this.fields.dilationRate;
    return Array.isArray(d) ? [d[0], d[1] ?? d[0]] : [d, d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const f = this.fields;
    if (f.dataFormat === 'channelsFirst') return super.call(inputs, {}) as tf.Tensor;
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.tidy(() => {
      let y: tf.Tensor = tf.depthwiseConv2d(x, f.depthwiseKernel.read() as tf.Tensor4D, f.strides, f.padding, 'NHWC', this.rate());
      if (f.useBias && f.bias) y = tf.add(y, f.bias.read());
      return f.activation ? f.activation.apply(y) : y;
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const f = this.fields;
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (f.dataFormat === 'channelsFirst') return super.computeOutputShape(inputShape);
    const rate = this.rate();
    const len = (n: number | null, k: number, st: number, d: number) => {
      if (n === null) return null;
      const eff = (k - 1) * d + 1;
      return f.padding === 'same' ? Math.ceil(n / st) : Math.floor((n - eff) / st) + 1;
    };
    return [s[0], len(s[1], f.kernelSize[0], f.strides[0], rate[0]), len(s[2], f.kernelSize[1], f.strides[1], rate[1]),
      (s[3] as number) * f.depthMultiplier];
  }
}
tf.serialization.registerClass(KerasDepthwiseConv2D as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

const TfjsReshape = tf.layers.reshape({ targetShape: [1] }).constructor as LayerCtor;

/**
 * Reshape whose −1 is resolved when the model is built: tfjs-layers 4.22
 * counts the (always unknown) batch dimension as unknown and leaves the −1
 * open, so a layer after `Reshape([1, 1, -1])` sees no channel count (the
 * rewritten keepdims pooling of keras-topology.ts needs it).
 */
export class KerasReshape extends TfjsReshape {
  static className = 'Reshape';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    // tfjs keeps the −1 of the target shape as null.
    const target = (this as unknown as { targetShape: (number | null)[] }).targetShape;
    const open = (d: number | null) => d === null || d === -1;
    const known = s.slice(1);
    if (target.filter(open).length !== 1 || known.some((d) => d === null)) return super.computeOutputShape(inputShape);
    const size = (known as number[]).reduce((a, b) => a * b, 1);
    const rest = (target.filter((d) => !open(d)) as number[]).reduce((a, b) => a * b, 1);
    if (size % rest !== 0) return super.computeOutputShape(inputShape);
    return [s[0], ...target.map((d) => (open(d) ? size / rest : d))];
  }
}
tf.serialization.registerClass(KerasReshape as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
