/**
 * Integrated gradients (Sundararajan, Taly, Yan 2017, "Axiomatic
 * Attribution for Deep Networks", §3 and §5 "Computing integrated
 * gradients"): C_i = (x_i − x₀_i)·∫₀¹ ∂t/∂x_i(x₀ + α(x − x₀)) dα, with
 * t = t_k (or t_k − t_j: the map is linear in t). Completeness says
 * Σ C = Δt = t(x) − t(x₀); the integral is approximated with the midpoint
 * Riemann sum over `steps` points α = (i + ½)/steps, so the result reports
 * its own error |Σ − Δt|, which shrinks as steps grow (the paper suggests
 * 20–300 steps to get within 5 %).
 *
 * Cost: `steps` gradient rows, computed in batches of at most
 * MAX_BATCH rows (options.maxBatch) (one backward pass each) so memory stays bounded, and
 * one forward pass of the input and the reference for Δt. The
 * rows' gradients are summed at the end of the linear layers right after the
 * input (the first convolution: `splitAtInputChain`), where the gradient is
 * the same linear map for every row, and pass back through those layers once.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type AttributionOptions, type AttributionResult, checkInput, completeness, numClassesOf, resolveClasses, seedRows,
  seededGradientsOf, sumOf,
} from './attribution';
import { logitsFunction, splitAtInputChain } from './logits-function';

export const DEFAULT_IG_STEPS = 50;
/** Interpolated inputs per backward pass. */
export const MAX_BATCH = 64;

/**
 * Integrated gradients of one input.
 * @param input [1, ...shape] float32; not disposed (nor is options.reference). Disposes everything it creates.
 * options.steps: Riemann steps (integer ≥ 1, default 50).
 */
export async function integratedGradients(
  model: tf.LayersModel, input: tf.Tensor, options: AttributionOptions = {},
): Promise<AttributionResult> {
  checkInput(input, options.reference);
  const steps = options.steps ?? DEFAULT_IG_STEPS;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const maxBatch = Math.max(1, Math.floor(options.maxBatch ?? MAX_BATCH));
  const { target, contrast } = await resolveClasses(model, input, options);
  const k = numClassesOf(model);
  const terms: Array<[number, number]> = contrast === null ? [[target, 1]] : [[target, 1], [contrast, -1]];
  const x = tf.cast(input, 'float32');
  const x0 = tf.tidy(() => (options.reference ? tf.reshape(tf.cast(options.reference, 'float32'), input.shape) : tf.zerosLike(x)));
  const dx = tf.sub(x, x0);
  const split = splitAtInputChain(model);
  /** Σ over rows of the gradients at the end of the input's linear chain. */
  let gradSum: tf.Tensor | null = null;
  let endLogits: tf.Tensor | null = null;
  try {
    for (let start = 0; start < steps; start += maxBatch) {
      const n = Math.min(maxBatch, steps - start);
      const sumSoFar: tf.Tensor | null = gradSum;
      const next: tf.Tensor = tf.tidy(() => {
        const alphas = tf.tensor1d(Array.from({ length: n }, (_, i) => (start + i + 0.5) / steps));
        const path = tf.add(x0, tf.mul(tf.reshape(alphas, [n, ...input.shape.slice(1).map(() => 1)]), dx));
        const rows = Array.from({ length: n }, () => terms);
        const { gradients, logits: l } = seededGradientsOf(split.logits, split.chainForward(path), seedRows(k, rows));
        l.dispose();
        const sum = tf.sum(gradients, 0, true);
        return sumSoFar ? tf.add(sumSoFar, sum) : sum;
      });
      gradSum?.dispose();
      gradSum = next;
      // Yield between batches so a long run does not block the event loop.
      if (start + maxBatch < steps) await next.data();
    }
    // t(x) and t(x₀) for Δt: a forward pass only (no gradient rows for them).
    endLogits = tf.tidy(() => logitsFunction(model)(tf.concat([x, x0], 0)));
    const total = gradSum as unknown as tf.Tensor;
    const packed = tf.tidy(() => tf.concat([
      tf.reshape(tf.mul(dx, tf.div(split.chainTranspose(total), steps)), [-1]),
      tf.reshape(endLogits as unknown as tf.Tensor, [-1]),
    ]));
    let data: Float32Array;
    try {
      data = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
    const size = input.size;
    const attributions = data.slice(0, size);
    const sum = sumOf(attributions);
    const { delta, completenessError } = completeness(
      sum, data.subarray(size, size + k), data.subarray(size + k, size + 2 * k), target, contrast);
    return {
      method: 'integrated-gradients', shape: input.shape.slice(), attributions, target, contrast,
      sum, delta, completenessError, logits: Array.from(data.subarray(size, size + k)),
    };
  } finally {
    for (const t of [x, x0, dx, gradSum, endLogits as tf.Tensor | null]) t?.dispose();
  }
}
