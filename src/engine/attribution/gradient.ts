/**
 * Saliency maps (Simonyan, Vedaldi, Zisserman 2013, "Deep Inside
 * Convolutional Networks", §3.1): the score of pixel i for class k is
 * |∂t_k/∂x_i|, the magnitude of the gradient of the pre-softmax logit.
 * With a contrast j the map is |∂t_k/∂x| − |∂t_j/∂x| (S_k − S_j, as in
 * Shrikumar et al. 2017 §4.1); both gradients come from one batched
 * backward pass. No reference: `delta` and `completenessError` are null.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type AttributionOptions, type AttributionResult, checkInput, numClassesOf, resolveClasses, seedRows, seededGradients, sumOf,
} from './attribution';

/**
 * S_k − S_j (or S_k) for one input, with S = transform(gradient).
 * @param input [1, ...shape]; not disposed.
 */
export async function gradientScoreDifference(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions,
  guided: boolean, transform: (g: tf.Tensor) => tf.Tensor, method: string,
): Promise<AttributionResult> {
  checkInput(input);
  const { target, contrast } = await resolveClasses(model, input, options);
  const k = numClassesOf(model);
  const packed = tf.tidy(() => {
    const rows: Array<Array<[number, number]>> = [[[target, 1]]];
    if (contrast !== null) rows.push([[contrast, 1]]);
    const seeds = seedRows(k, rows);
    const x = tf.tile(tf.cast(input, 'float32'), [rows.length, ...input.shape.slice(1).map(() => 1)]);
    const { gradients, logits: l } = seededGradients(model, x, seeds, guided);
    const s = transform(gradients);
    const flat = tf.reshape(s, [rows.length, -1]);
    const first = tf.slice(flat, [0, 0], [1, -1]);
    const map = tf.reshape(rows.length === 2 ? tf.sub(first, tf.slice(flat, [1, 0], [1, -1])) : first, [-1]);
    const out = tf.concat([map, tf.reshape(tf.slice(l, [0, 0], [1, k]), [-1])]);
    l.dispose(); // kept by seededGradients, so tidy would not free it
    return out;
  });
  let data: Float32Array;
  try {
    data = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  const attributions = data.slice(0, input.size);
  return {
    method, shape: input.shape.slice(), attributions, target, contrast,
    sum: sumOf(attributions), delta: null, completenessError: null, logits: Array.from(data.subarray(input.size)),
  };
}

/**
 * Saliency |∂t_k/∂x| (− |∂t_j/∂x| with a contrast).
 * @param input [1, ...shape] float32; not disposed. Disposes everything it creates.
 */
export function gradientSaliency(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions = {},
): Promise<AttributionResult> {
  return gradientScoreDifference(model, input, options, false, (g) => tf.abs(g), 'gradient');
}
