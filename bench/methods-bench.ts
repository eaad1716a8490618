/**
 * Attribution methods benchmark (Node): what each method of
 * src/engine/attribution/methods.ts costs on the MNIST classifier, as a
 * ratio to one plain gradient (∂t_k/∂x of one pre-softmax logit w.r.t. the
 * input, one backward pass through the same differentiable logits
 * function; what saliency maps need). Each run includes the method's own
 * readback. Defaults as in the app and CLI: integrated gradients 50 steps,
 * DeepLIFT-SHAP 10 references. Runs are interleaved (the order rotates each
 * round) and medians compared, so machine load hits all variants alike;
 * ratios are the result, absolute times only context.
 * Keys: method_<cli name>_over_grad.
 */
import * as tf from '@tensorflow/tfjs';
import { seededGradients, seedRows } from '../src/engine/attribution/attribution';
import { releaseLogitsFunction } from '../src/engine/attribution/logits-function';
import { ATTRIBUTION_METHODS, METHOD_NAMES } from '../src/engine/attribution/methods';
import { releaseDeepLiftCache } from '../src/engine/deeplift/deeplift';
import { useNodeBackend } from '../src/cli/node-backend';
import { loadBenchMnist, median } from './common';


export interface MethodsBenchOptions {
  runs?: number;
  warmup?: number;
  backend?: 'wasm' | 'cpu';
}

/** Returns the results to merge into bench/results.json. */
export async function methodsBench(options: MethodsBenchOptions = {}): Promise<Record<string, unknown>> {
  const runs = options.runs ?? 21;
  const warmup = options.warmup ?? 3;
  const backend = options.backend ?? 'wasm';
  await useNodeBackend(backend);
  const { model, trained } = await loadBenchMnist();
  const x = tf.tidy(() => tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 7));
  const target = 3;
  const seeds = seedRows(10, [[[target, 1]]]);
  const variants: Record<string, () => Promise<unknown>> = {
    grad: async () => {
      const { gradients, logits } = seededGradients(model, x, seeds);
      logits.dispose();
      await gradients.data();
      gradients.dispose();
    },
  };
  for (const name of METHOD_NAMES) variants[name] = () => ATTRIBUTION_METHODS[name](model, x, { target });
  const names = Object.keys(variants);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  try {
    for (let round = 0; round < warmup + runs; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length];
        const t0 = performance.now();
        await variants[name]();
        const dt = performance.now() - t0;
        if (round >= warmup) times[name].push(dt);
      }
    }
  } finally {
    x.dispose();
    seeds.dispose();
    releaseDeepLiftCache(model);
    releaseLogitsFunction(model);
    model.dispose();
  }
  const med = Object.fromEntries(names.map((n) => [n, median(times[n])]));
  const result: Record<string, unknown> = {};
  for (const name of METHOD_NAMES) result[`method_${name}_over_grad`] = Number((med[name] / med.grad).toFixed(3));
  Object.assign(result, {
    methods_settings: { 'integrated-gradients': 'steps 50', 'deeplift-shap': '10 noised black references, Rescale' },
    methods_backend: tf.getBackend(),
    methods_model: trained ? 'public/models/mnist/model.json (trained)' : 'seeded random model, MNIST architecture',
    methods_repetitions: runs,
    methods_warmup: warmup,
    methods_median_ms: Object.fromEntries(names.map((n) => [n, Number(med[n].toFixed(3))])),
  });
  return result;
}
