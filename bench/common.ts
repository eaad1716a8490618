/** Pieces shared by the Node benchmarks: medians and the MNIST model they time. */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
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
