/**
 * Explain benchmark (Node): what DeepLIFT costs over one plain gradient.
 * The baseline, for every explain and methods ratio, is the fastest plain
 * input gradient the project computes (common.ts `plainGradient`). Timed,
 * each with its `await data()` readback:
 * - MNIST classifier [1, 28, 28, 1]: DeepLIFT for one class and all ten
 *   classes in one batched pass, Rescale and RevealCancel; and a batch of 32
 *   digits in one pass (per image);
 * - a MobileNetV2-architecture model at [1, 224, 224, 3] built here (seeded
 *   weights, no download): Rescale for one class, top-5 classes in one
 *   pass, RevealCancel for one class, and the peak tensor bytes of one
 *   explanation against one gradient's (tf.profile).
 * Runs are interleaved (each round in a seeded random order) and wall-clock
 * medians compared (common.ts `interleavedMedians`; CPU-time medians are kept
 * beside them), so machine load hits all variants alike. Ratios are the
 * result; absolute times are context only (these machines have no GPU).
 * Targets: Rescale single ≤ 1.5×, all ten / top-5 ≤ 2.5×, RevealCancel ≤ 4×,
 * peak bytes ≤ 3× the gradient's.
 */
import * as tf from '@tensorflow/tfjs';
import { deepLift, deepLiftBatch, releaseDeepLiftCache } from '../src/engine/deeplift/deeplift';
import { mobileNetV2 } from '../src/engine/deeplift/testing/architectures';
import { useNodeBackend } from '../src/cli/node-backend';
import { interleavedMedians, loadBenchMnist, peakBytes, plainGradient, roundedMedians } from './common';

export interface ExplainBenchOptions {
  runs?: number;
  warmup?: number;
  backend?: 'wasm' | 'cpu';
  /** Repetitions for the MobileNetV2 model (each run is seconds on a CPU). */
  mobileNetRuns?: number;
}

const round3 = (v: number) => Number(v.toFixed(3));

async function mnistPart(runs: number, warmup: number): Promise<Record<string, unknown>> {
  const { model, trained } = await loadBenchMnist();
  const x = tf.tidy(() => tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 7));
  const x32 = tf.tidy(() => tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 8));
  const target = 3;
  const { wall: med, cpu } = await interleavedMedians({
    rescale_batch32: () => deepLiftBatch(model, x32, { rule: 'rescale', target }),
    grad: plainGradient(model, x, target, 10),
    rescale_single: () => deepLift(model, x, { rule: 'rescale', target }),
    rescale_all: () => deepLift(model, x, { rule: 'rescale', target, allClasses: true }),
    revealcancel_single: () => deepLift(model, x, { rule: 'revealcancel', target }),
    revealcancel_all: () => deepLift(model, x, { rule: 'revealcancel', target, allClasses: true }),
  }, runs, warmup);
  x.dispose();
  x32.dispose();
  releaseDeepLiftCache(model);
  model.dispose();
  const ratio = (n: string) => round3(med[n] / med.grad);
  return {
    explain_batch32_per_image_over_grad: round3(med.rescale_batch32 / 32 / med.grad),
    explain_batch32_per_image_ms: round3(med.rescale_batch32 / 32),
    explain_single_over_grad: ratio('rescale_single'),
    explain_all_over_grad: ratio('rescale_all'),
    explain_revealcancel_single_over_grad: ratio('revealcancel_single'),
    explain_revealcancel_all_over_grad: ratio('revealcancel_all'),
    explain_baseline: 'plain input gradient of one logit through the logits function (bench/common.ts plainGradient)',
    explain_model: trained ? 'public/models/mnist/model.json (trained)' : 'seeded random model, MNIST architecture',
    explain_input_shape: [1, 28, 28, 1],
    explain_repetitions: runs,
    explain_warmup: warmup,
    explain_median_ms: roundedMedians(med),
    explain_median_cpu_ms: roundedMedians(cpu),
  };
}

async function mobileNetPart(runs: number): Promise<Record<string, unknown>> {
  const model = mobileNetV2(224, 1000, 7);
  const x = tf.tidy(() => tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 9));
  const target = 3;
  const variants = {
    grad: plainGradient(model, x, target, 1000),
    rescale_single: () => deepLift(model, x, { rule: 'rescale', target }),
    rescale_top5: () => deepLift(model, x, { rule: 'rescale', topK: 5 }),
    revealcancel_single: () => deepLift(model, x, { rule: 'revealcancel', target }),
  };
  await deepLift(model, x, { rule: 'rescale', target }); // builds the plan (kept tensors) outside the profiles
  const { wall: med, cpu } = await interleavedMedians(variants, runs, 2);
  const gradPeak = await peakBytes(variants.grad);
  const rescalePeak = await peakBytes(variants.rescale_single);
  const top5Peak = await peakBytes(variants.rescale_top5);
  const revealPeak = await peakBytes(variants.revealcancel_single);
  x.dispose();
  releaseDeepLiftCache(model);
  model.dispose();
  const ratio = (n: string) => round3(med[n] / med.grad);
  return {
    explain_mobilenetv2_single_over_grad: ratio('rescale_single'),
    explain_mobilenetv2_top5_over_grad: ratio('rescale_top5'),
    explain_mobilenetv2_revealcancel_over_grad: ratio('revealcancel_single'),
    explain_mobilenetv2_peak_bytes_over_grad: round3(rescalePeak / gradPeak),
    explain_mobilenetv2_top5_peak_bytes_over_grad: round3(top5Peak / gradPeak),
    explain_mobilenetv2_revealcancel_peak_bytes_over_grad: round3(revealPeak / gradPeak),
    explain_mobilenetv2_peak_bytes: { grad: gradPeak, rescale_single: rescalePeak, rescale_top5: top5Peak, revealcancel_single: revealPeak },
    explain_mobilenetv2_model: 'MobileNetV2 architecture (testing/architectures.ts), seeded He weights, 1000 classes',
    explain_mobilenetv2_input_shape: [1, 224, 224, 3],
    explain_mobilenetv2_repetitions: runs,
    explain_mobilenetv2_median_ms: roundedMedians(med),
    explain_mobilenetv2_median_cpu_ms: roundedMedians(cpu),
  };
}

/** Returns the results to merge into bench/results.json. */
export async function explainBench(options: ExplainBenchOptions = {}): Promise<Record<string, unknown>> {
  const backend = options.backend ?? 'wasm';
  await useNodeBackend(backend);
  return {
    ...(await mnistPart(options.runs ?? 41, options.warmup ?? 5)),
    ...(await mobileNetPart(options.mobileNetRuns ?? 11)),
    explain_targets: { single: 1.5, all: 2.5, top5: 2.5, revealcancel: 4, peak_bytes: 3 },
    explain_backend: tf.getBackend(),
  };
}
