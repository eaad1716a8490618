/**
 * Explain benchmark (Node): what DeepLIFT costs over one plain gradient on
 * the MNIST classifier. Times, with each run's `await data()` readback:
 * - grad: tf.grad of one pre-softmax logit w.r.t. the input (the baseline);
 * - DeepLIFT for one class and for all ten classes (one batched pass), for
 *   Rescale and RevealCancel.
 * Runs are interleaved (the order rotates each round) and medians compared,
 * so machine load hits all variants alike. Ratios are the result; absolute
 * times are context only (these machines have no GPU).
 * Targets (Rescale): single ≤ 1.5× grad, all ten ≤ 2.5× grad.
 */
import * as tf from '@tensorflow/tfjs';
import { deepLift, releaseDeepLiftCache } from '../src/engine/deeplift/deeplift';
import { useNodeBackend } from '../src/cli/node-backend';
import { loadBenchMnist, median } from './common';


/** A copy of `model` whose final activation is linear: its outputs are the logits. */
async function logitsModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const json = JSON.parse(JSON.stringify(model.toJSON(null, false))) as {
    config: { layers: { config: { activation?: string } }[] };
  };
  const layers = json.config.layers;
  layers[layers.length - 1].config.activation = 'linear';
  const copy = await tf.models.modelFromJSON(json as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
  copy.setWeights(model.getWeights());
  return copy;
}

export interface ExplainBenchOptions {
  runs?: number;
  warmup?: number;
  backend?: 'wasm' | 'cpu';
}

/** Returns the results to merge into bench/results.json. */
export async function explainBench(options: ExplainBenchOptions = {}): Promise<Record<string, unknown>> {
  const runs = options.runs ?? 41;
  const warmup = options.warmup ?? 5;
  const backend = options.backend ?? 'wasm';
  await useNodeBackend(backend);
  const { model, trained } = await loadBenchMnist();
  const logits = await logitsModel(model);
  const x = tf.tidy(() => tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 7));
  const target = 3;

  const gradOfLogit = tf.grad((z: tf.Tensor) =>
    tf.sum(tf.slice(logits.apply(z) as tf.Tensor, [0, target], [1, 1])));
  const variants: Record<string, () => Promise<unknown>> = {
    grad: async () => {
      const g = gradOfLogit(x);
      await g.data();
      g.dispose();
    },
    rescale_single: () => deepLift(model, x, { rule: 'rescale', target }),
    rescale_all: () => deepLift(model, x, { rule: 'rescale', target, allClasses: true }),
    revealcancel_single: () => deepLift(model, x, { rule: 'revealcancel', target }),
    revealcancel_all: () => deepLift(model, x, { rule: 'revealcancel', target, allClasses: true }),
  };
  const names = Object.keys(variants);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const t0 = performance.now();
      await variants[name]();
      const dt = performance.now() - t0;
      if (round >= warmup) times[name].push(dt);
    }
  }
  const med = Object.fromEntries(names.map((n) => [n, median(times[n])]));
  const ratio = (n: string) => Number((med[n] / med.grad).toFixed(3));
  const result = {
    explain_single_over_grad: ratio('rescale_single'),
    explain_all_over_grad: ratio('rescale_all'),
    explain_revealcancel_single_over_grad: ratio('revealcancel_single'),
    explain_revealcancel_all_over_grad: ratio('revealcancel_all'),
    explain_targets: { single: 1.5, all: 2.5 },
    explain_backend: tf.getBackend(),
    explain_model: trained ? 'public/models/mnist/model.json (trained)' : 'seeded random model, MNIST architecture',
    explain_input_shape: [1, 28, 28, 1],
    explain_repetitions: runs,
    explain_warmup: warmup,
    explain_median_ms: Object.fromEntries(names.map((n) => [n, Number(med[n].toFixed(3))])),
  };
  x.dispose();
  releaseDeepLiftCache(model);
  logits.dispose();
  model.dispose();
  return result;
}
