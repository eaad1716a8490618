/**
 * A tiny conv net standing in for the InceptionV3 trunk in tests and
 * benchmarks of the dream machinery: [1, h, w, 3] in [0, 1] → mixed0 (3×3
 * conv, 4 channels, ReLU) → mixed1 (3×3 conv stride 2, 6 channels, ReLU).
 * Seeded weights, so results are reproducible. `pointwise` makes both layers
 * 1×1 convs (no spatial context), for which tiled and untiled gradients agree
 * exactly whatever the tiling.
 */
import * as tf from '@tensorflow/tfjs';
import { createDreamModel, type DreamModel } from '../models/dream-model';

/** The caller owns the model (`dispose()`). */
export function standInDreamModel(options: { pointwise?: boolean; seed?: number } = {}): DreamModel {
  const k = options.pointwise ? 1 : 3;
  const seed = options.seed ?? 7;
  const input = tf.input({ shape: [null, null, 3] });
  const mixed0 = tf.layers
    .conv2d({ name: 'mixed0', filters: 4, kernelSize: k, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: tf.initializers.constant({ value: 0.05 }) })
    .apply(input) as tf.SymbolicTensor;
  const mixed1 = tf.layers
    .conv2d({ name: 'mixed1', filters: 6, kernelSize: k, strides: options.pointwise ? 1 : 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: tf.initializers.constant({ value: 0.05 }) })
    .apply(mixed0) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [mixed0, mixed1] });
  return createDreamModel(model, { scale: 1 / 255, offset: 0, min: 0, max: 1 }, ['mixed0', 'mixed1'], 4);
}
