/** Pieces shared by the Node benchmarks: medians, interleaved timing, the one gradient baseline and the MNIST model they time. */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededGradients, seedRows } from '../src/engine/attribution/attribution';
import { mnistArchitecture } from '../src/engine/deeplift/testing/model-fixtures';
import { fileSystemIO } from '../src/engine/models/fs-io';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MNIST_MODEL_JSON = path.join(ROOT, 'public/models/mnist/model.json');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The trained MNIST model when present, else a seeded random one of the same architecture. */
export async function loadBenchMnist(): Promise<{ model: tf.LayersModel; trained: boolean }> {
  const trained = existsSync(MNIST_MODEL_JSON);
  const model = trained ? await tf.loadLayersModel(fileSystemIO(MNIST_MODEL_JSON)) : mnistArchitecture(1);
  return { model, trained };
}

/**
 * The one baseline for every explain and methods ratio: the fastest plain
 * input gradient the project computes, ∂t_k/∂x of one pre-softmax logit
 * through the differentiable logits function (attribution/logits-function.ts:
 * linear layers back-propagate with the DeepLIFT plan's transposes), read back.
 */
export function plainGradient(model: tf.LayersModel, x: tf.Tensor, target: number, numClasses: number): () => Promise<void> {
  return async () => {
    const seeds = seedRows(numClasses, [[[target, 1]]]);
    const { gradients, logits } = seededGradients(model, x, seeds);
    logits.dispose();
    seeds.dispose();
    await gradients.data();
    gradients.dispose();
  };
}

/** Medians (ms) of one set of interleaved runs, by two clocks. */
export interface Medians {
  /** This process's CPU time (user + system), for context: it also counts V8's background (GC) threads. */
  cpu: Record<string, number>;
  /**
   * Wall-clock time: the latency a person waits for, and what the ratios
   * use. (CPU time exceeded it by up to 40 % for the large batched calls on an
   * idle machine: their garbage is collected on other threads.)
   */
  wall: Record<string, number>;
}

/**
 * Times each variant `runs` times after `warmup` rounds, interleaved: each
 * round runs every variant once in a seeded random order, so machine load
 * hits all alike and no variant always runs right after the same one (a
 * variant that follows a large batched one starts with cold caches; a fixed
 * rotation would charge that to the same variant every round). Returns the
 * medians in ms, of CPU time and of wall-clock time.
 */
export async function interleavedMedians(
  variants: Record<string, () => Promise<unknown>>, runs: number, warmup: number,
): Promise<Medians> {
  const names = Object.keys(variants);
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const wall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let seed = 20170;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  for (let round = 0; round < warmup + runs; round++) {
    const order = [...names];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const name of order) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await variants[name]();
      const dt = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (round >= warmup) {
        wall[name].push(dt);
        cpu[name].push((c.user + c.system) / 1000);
      }
    }
  }
  const medians = (xs: Record<string, number[]>) => Object.fromEntries(names.map((n) => [n, median(xs[n])]));
  return { cpu: medians(cpu), wall: medians(wall) };
}

/** The medians rounded to µs, for the results file. */
export function roundedMedians(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).map(([n, v]) => [n, Number(v.toFixed(3))]));
}

/** Peak bytes of tensors alive during `f` (tf.profile), f's result disposed afterwards. */
export async function peakBytes(f: () => Promise<unknown>): Promise<number> {
  const info = await tf.profile(async () => {
    await f();
  });
  return info.peakBytes;
}
