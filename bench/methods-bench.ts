/**
 * Attribution methods benchmark (Node): what each method of
 * src/engine/attribution/methods.ts costs on the MNIST classifier, as a
 * ratio to one plain gradient (∂t_k/∂x of one pre-softmax logit w.r.t. the
 * input: common.ts `plainGradient`, the same baseline as the explain
 * benchmark). Each run includes the method's own
 * readback. Defaults as in the app and CLI: integrated gradients 50 steps,
 * DeepLIFT-SHAP 10 references (one batched pass each). Runs are interleaved
 * (each round in a seeded random order) and wall-clock medians compared
 * (common.ts `interleavedMedians`; CPU-time medians kept beside them); ratios are the result, absolute times only context. Targets:
 * ahead of Captum's ratios over its own gradient (`CAPTUM`, `METHOD_TARGETS`).
 * Keys: method_<cli name>_over_grad.
 */
import * as tf from '@tensorflow/tfjs';
import { releaseLogitsFunction } from '../src/engine/attribution/logits-function';
import { ATTRIBUTION_METHODS, METHOD_NAMES } from '../src/engine/attribution/methods';
import { releaseDeepLiftCache } from '../src/engine/deeplift/deeplift';
import { useNodeBackend } from '../src/cli/node-backend';
import { interleavedMedians, loadBenchMnist, plainGradient, roundedMedians } from './common';


/**
 * The peer's figures (issue 8): Captum on PyTorch CPU, one thread, the same
 * trained MNIST weights and 20 digits at batch 1, each method's median over
 * Captum's own plain gradient (and DeepLift's ms per image at batch 32).
 */
export const CAPTUM = {
  deeplift_over_gradient: 2.41,
  integrated_gradients_over_gradient: 17.6,
  deeplift_shap_over_gradient: 8.4,
  deeplift_batch32_ms_per_image: 1.22,
};

/** Ahead of Captum on every method; RevealCancel within 2× of Captum's Rescale. Over our own plain gradient. */
export const METHOD_TARGETS: Record<string, number> = {
  'deeplift-rescale': CAPTUM.deeplift_over_gradient,
  'deeplift-revealcancel': 2 * CAPTUM.deeplift_over_gradient,
  'integrated-gradients': CAPTUM.integrated_gradients_over_gradient,
  'deeplift-shap': CAPTUM.deeplift_shap_over_gradient,
};

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
  const variants: Record<string, () => Promise<unknown>> = { grad: plainGradient(model, x, target, 10) };
  for (const name of METHOD_NAMES) variants[name] = () => ATTRIBUTION_METHODS[name](model, x, { target });
  let med: Record<string, number>;
  let cpu: Record<string, number>;
  try {
    ({ wall: med, cpu } = await interleavedMedians(variants, runs, warmup));
  } finally {
    x.dispose();
    releaseDeepLiftCache(model);
    releaseLogitsFunction(model);
    model.dispose();
  }
  const result: Record<string, unknown> = {};
  for (const name of METHOD_NAMES) result[`method_${name}_over_grad`] = Number((med[name] / med.grad).toFixed(3));
  Object.assign(result, {
    methods_captum: CAPTUM,
    methods_targets: METHOD_TARGETS,
    methods_settings: { 'integrated-gradients': 'steps 50', 'deeplift-shap': '10 noised black references, Rescale' },
    methods_backend: tf.getBackend(),
    methods_model: trained ? 'public/models/mnist/model.json (trained)' : 'seeded random model, MNIST architecture',
    methods_repetitions: runs,
    methods_warmup: warmup,
    methods_median_ms: roundedMedians(med),
    methods_median_cpu_ms: roundedMedians(cpu),
    methods_baseline: 'the same plain gradient as the explain benchmark (bench/common.ts plainGradient)',
  });
  return result;
}
