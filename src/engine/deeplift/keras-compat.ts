/**
 * Keras features that tfjs-layers 4.x does not implement but Keras models
 * converted with `tensorflowjs_converter` use, registered so that such
 * models load and compute what Keras computes (importing this module
 * registers them; graph.ts imports it):
 * - the ReLU layer's `negative_slope` and `threshold` (tfjs keeps only
 *   `max_value` and would silently compute a plain ReLU);
 * - the activations 'silu' (Keras 3's name for swish) and 'exponential'.
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
