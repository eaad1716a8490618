/**
 * Gradient × input (Shrikumar et al. 2016, "Not Just a Black Box"; the
 * baseline of Shrikumar et al. 2017 §2.2): C_i = (x_i − x₀_i)·∂t/∂x_i at x,
 * with t = t_k (or t_k − t_j). With the default black reference x₀ = 0 this
 * is the textbook gradient ⊙ input; a reference makes it comparable with
 * DeepLIFT and integrated gradients, which measure against x₀ too. Σ C is
 * a first-order estimate of Δt = t(x) − t(x₀); the result reports both.
 * One backward pass (the reference rides along in the batch with a zero
 * seed, for its logits).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type AttributionOptions, type AttributionResult, checkInput, completeness, numClassesOf, resolveClasses, seedRows,
  seededGradients, sumOf,
} from './attribution';

/**
 * Gradient × (input − reference).
 * @param input [1, ...shape] float32; not disposed (nor is options.reference). Disposes everything it creates.
 */
export async function gradientTimesInput(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions = {},
): Promise<AttributionResult> {
  checkInput(input, options.reference);
  const { target, contrast } = await resolveClasses(model, input, options);
  const k = numClassesOf(model);
  const packed = tf.tidy(() => {
    const x = tf.cast(input, 'float32');
    const x0 = options.reference ? tf.reshape(tf.cast(options.reference, 'float32'), input.shape) : tf.zerosLike(x);
    const terms: Array<[number, number]> = contrast === null ? [[target, 1]] : [[target, 1], [contrast, -1]];
    const seeds = seedRows(k, [terms, []]);
    const { gradients, logits: l } = seededGradients(model, tf.concat([x, x0], 0), seeds);
    const g = tf.slice(gradients, [0], [1]);
    const c = tf.mul(g, tf.sub(x, x0));
    const out = tf.concat([tf.reshape(c, [-1]), tf.reshape(l, [-1])]);
    l.dispose(); // kept by seededGradients, so tidy would not free it
    return out;
  });
  let data: Float32Array;
  try {
    data = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  const n = input.size;
  const attributions = data.slice(0, n);
  const sum = sumOf(attributions);
  const { delta, completenessError } = completeness(sum, data.subarray(n, n + k), data.subarray(n + k, n + 2 * k), target, contrast);
  const logits = Array.from(data.subarray(n, n + k));
  return { method: 'gradient-x-input', shape: input.shape.slice(), attributions, target, contrast, sum, delta, completenessError, logits };
}
