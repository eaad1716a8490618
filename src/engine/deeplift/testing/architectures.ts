/**
 * Full-size MobileNetV2 (Sandler et al. 2018) and InceptionV3 (Szegedy et
 * al. 2016) architectures built with the tfjs layers API, layer for layer as
 * keras.applications builds them (MobileNetV2: correct-pad ZeroPadding2D
 * before stride-2 depthwise convs, ReLU(max 6), residual Adds; InceptionV3:
 * conv + BatchNormalization(scale=False) + ReLU units, parallel branches,
 * 'same' average pooling, max pooling, Concatenate), with seeded He-scaled
 * random weights (no download). For the exactness tests and benchmarks.
 */
import * as tf from '@tensorflow/tfjs';

const L = tf.layers;
type Sym = tf.SymbolicTensor;
const on = (layer: tf.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym;

/**
 * Seeded weights: kernels N(0, 2/fan-in) (depthwise: fan-in kh·kw), biases
 * and betas small, gammas near 1, moving means small, variances in
 * [0.8, 1.2] — activations stay O(1) through the depth.
 */
export function heWeights(model: tf.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) => tf.tidy(() => {
    const shape = w.shape as number[];
    const name = w.originalName ?? w.name;
    const s = seed + i;
    if (/moving_variance/.test(name)) return tf.randomUniform(shape, 0.8, 1.2, 'float32', s);
    if (/moving_mean|beta|bias/.test(name)) return tf.randomNormal(shape, 0, 0.05, 'float32', s);
    if (/gamma/.test(name)) return tf.add(1, tf.randomNormal(shape, 0, 0.1, 'float32', s));
    const fanIn = /depthwise/.test(name) ? shape[0] * shape[1] : shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s);
  }));
  model.setWeights(values);
  for (const v of values) v.dispose();
}

/** keras.applications' `correct_pad` for a stride-2 3×3 conv on a square input of side `size`. */
function correctPad(size: number): [[number, number], [number, number]] {
  const adjust = size % 2 === 0 ? 0 : 1;
  return [[1 - adjust, 1], [1 - adjust, 1]];
}

/** MobileNetV2, α = 1, on [size, size, 3] with `classes` outputs and a final softmax. */
export function mobileNetV2(size = 224, classes = 1000, seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const bnRelu6 = (x: Sym) => on(L.reLU({ maxValue: 6 }), on(L.batchNormalization({ epsilon: 1e-3, momentum: 0.999 }), x));
  let side = size;
  let x = on(L.zeroPadding2d({ padding: correctPad(side) }), input);
  x = bnRelu6(on(L.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }), x));
  side = Math.ceil(side / 2);
  let channels = 32;
  const blocks: Array<[number, number, number, number]> = [
    [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
  ];
  for (const [t, c, n, s] of blocks) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      let h = x;
      if (t !== 1) h = bnRelu6(on(L.conv2d({ filters: channels * t, kernelSize: 1, useBias: false }), h));
      if (stride === 2) h = on(L.zeroPadding2d({ padding: correctPad(side) }), h);
      h = bnRelu6(on(L.depthwiseConv2d({
        kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false,
      }), h));
      h = on(L.batchNormalization({ epsilon: 1e-3, momentum: 0.999 }), on(L.conv2d({ filters: c, kernelSize: 1, useBias: false }), h));
      x = stride === 1 && channels === c ? on(L.add(), [x, h]) : h;
      channels = c;
      if (stride === 2) side = Math.ceil(side / 2);
    }
  }
  x = bnRelu6(on(L.conv2d({ filters: 1280, kernelSize: 1, useBias: false }), x));
  x = on(L.globalAveragePooling2d({}), x);
  const out = on(L.dense({ units: classes, activation: 'softmax' }), x);
  const model = tf.model({ inputs: input, outputs: out, name: 'mobilenetv2' });
  heWeights(model, seed);
  return model;
}

/** InceptionV3 on [size, size, 3] (Keras' default 299; at least 75) with `classes` outputs and a final softmax. */
export function inceptionV3(size = 299, classes = 1000, seed = 2): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const unit = (x: Sym, filters: number, kh: number, kw: number, strides = 1, padding: 'same' | 'valid' = 'same') =>
    on(L.activation({ activation: 'relu' }), on(L.batchNormalization({ scale: false, epsilon: 1e-3 }),
      on(L.conv2d({ filters, kernelSize: [kh, kw], strides, padding, useBias: false }), x)));
  const maxPool = (x: Sym) => on(L.maxPooling2d({ poolSize: 3, strides: 2 }), x);
  const avgPool = (x: Sym) => on(L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }), x);
  const cat = (xs: Sym[]) => on(L.concatenate({ axis: 3 }), xs);

  let x = unit(input, 32, 3, 3, 2, 'valid');
  x = unit(x, 32, 3, 3, 1, 'valid');
  x = unit(x, 64, 3, 3);
  x = maxPool(x);
  x = unit(x, 80, 1, 1, 1, 'valid');
  x = unit(x, 192, 3, 3, 1, 'valid');
  x = maxPool(x);
  for (const poolFilters of [32, 64, 64]) {
    x = cat([
      unit(x, 64, 1, 1),
      unit(unit(x, 48, 1, 1), 64, 5, 5),
      unit(unit(unit(x, 64, 1, 1), 96, 3, 3), 96, 3, 3),
      unit(avgPool(x), poolFilters, 1, 1),
    ]);
  }
  x = cat([
    unit(x, 384, 3, 3, 2, 'valid'),
    unit(unit(unit(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, 'valid'),
    maxPool(x),
  ]);
  for (const c of [128, 160, 160, 192]) {
    x = cat([
      unit(x, 192, 1, 1),
      unit(unit(unit(x, c, 1, 1), c, 1, 7), 192, 7, 1),
      unit(unit(unit(unit(unit(x, c, 1, 1), c, 7, 1), c, 1, 7), c, 7, 1), 192, 1, 7),
      unit(avgPool(x), 192, 1, 1),
    ]);
  }
  x = cat([
    unit(unit(x, 192, 1, 1), 320, 3, 3, 2, 'valid'),
    unit(unit(unit(unit(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 2, 'valid'),
    maxPool(x),
  ]);
  for (let i = 0; i < 2; i++) {
    const b3 = unit(x, 384, 1, 1);
    const bd = unit(unit(x, 448, 1, 1), 384, 3, 3);
    x = cat([
      unit(x, 320, 1, 1),
      cat([unit(b3, 384, 1, 3), unit(b3, 384, 3, 1)]),
      cat([unit(bd, 384, 1, 3), unit(bd, 384, 3, 1)]),
      unit(avgPool(x), 192, 1, 1),
    ]);
  }
  x = on(L.globalAveragePooling2d({}), x);
  const out = on(L.dense({ units: classes, activation: 'softmax' }), x);
  const model = tf.model({ inputs: input, outputs: out, name: 'inceptionv3' });
  heWeights(model, seed);
  return model;
}
