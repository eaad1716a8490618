/**
 * A small functional image classifier with the patterns a user model brings
 * to Deep Dream, for the engine tests of user-dream-model.ts: a conv without
 * bias → BatchNormalization with `scale: false` (which tfjs 4.22 cannot
 * differentiate) → ReLU6; a depthwise conv → BN → ReLU; a 1×1 conv with a
 * built-in ReLU; a residual Add → BN (`scale: false`, nothing to fold into);
 * then Flatten → Dense (size-bound: not dreamable). Seeded weights; batch
 * norm statistics far from the identity, so a wrong fold shows.
 */
import * as tf from '@tensorflow/tfjs';

function seededBatchNorm(name: string, seed: number, scale: boolean): tf.layers.Layer {
  return tf.layers.batchNormalization({
    name,
    scale,
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed }),
    betaInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed + 1 }),
    movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed + 2 }),
    movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.3, maxval: 2, seed: seed + 3 }),
  });
}

/** [batch, side, side, channels] → … → Dense(classes) softmax. `side` null: a free input size (then no Flatten: GAP). */
export function dreamDagModel(side: number | null = 16, channels: 1 | 3 = 3, classes = 4): tf.LayersModel {
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const he = (seed: number) => tf.initializers.heNormal({ seed });
  const input = tf.input({ shape: [side, side, channels], name: 'image' });
  const stem = apply(tf.layers.reLU({ maxValue: 6, name: 'stem_relu' }), apply(seededBatchNorm('stem_bn', 10, false),
    apply(tf.layers.conv2d({ name: 'stem_conv', filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(11) }), input)));
  let x = apply(tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, depthwiseInitializer: he(21), biasInitializer: tf.initializers.constant({ value: 0.1 }) }), stem);
  x = apply(tf.layers.activation({ activation: 'relu', name: 'dw_relu' }), apply(seededBatchNorm('dw_bn', 20, true), x));
  x = apply(tf.layers.conv2d({ name: 'project', filters: 6, kernelSize: 1, activation: 'relu', kernelInitializer: he(31) }), x);
  const shortcut = apply(tf.layers.averagePooling2d({ name: 'shortcut_pool', poolSize: 2, strides: 2, padding: 'same' }), stem);
  x = apply(tf.layers.add({ name: 'block_add' }), [shortcut, x]);
  x = apply(seededBatchNorm('add_bn', 40, false), x);
  const head = side === null
    ? apply(tf.layers.globalAveragePooling2d({ name: 'pool' }), x)
    : apply(tf.layers.flatten({ name: 'flatten' }), x);
  const out = apply(tf.layers.dense({ name: 'logits', units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 50 }) }), head);
  return tf.model({ inputs: input, outputs: out, name: 'dream_dag' });
}
