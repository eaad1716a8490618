/**
 * Engine part of the Deep Dream benchmark (Node, WASM backend): how much a
 * full engine dream step (jitter roll, gradient, roll back, normalise,
 * update, clip, objective readback and RGBA frame readback, as deepDream
 * yields it) costs over one bare forward + gradient of the same objective at
 * the same size. Runs are interleaved (one engine step, one bare pass, …) and
 * medians compared, so machine load affects both alike. Absolute times are
 * reported for context only: these machines have no GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DREAM_PARAMS, deepDream, makeGradientFn, type DreamParams } from '../src/engine/dream/dream';
import { decodeToTensor } from '../src/engine/image/node-codec';
import { fileSystemIO } from '../src/engine/models/fs-io';
import { loadDreamModel } from '../src/engine/models/dream-model';
import { useNodeBackend } from '../src/cli/node-backend';
import { median, ROOT } from './common';


export interface DreamBenchOptions {
  size?: number;
  layer?: string;
  runs?: number;
  warmup?: number;
}

/** Returns the results to merge into bench/results.json. */
export async function dreamBench(options: DreamBenchOptions = {}): Promise<Record<string, unknown>> {
  const size = options.size ?? 128;
  const layer = options.layer ?? 'mixed3';
  const runs = options.runs ?? 9;
  const warmup = options.warmup ?? 2;
  await useNodeBackend('wasm');
  const model = await loadDreamModel(fileSystemIO(path.join(ROOT, 'public/models/inception-mixed5/model.json')));
  const decoded = decodeToTensor(new Uint8Array(readFileSync(path.join(ROOT, 'public/samples/chelsea.png'))));
  const photo = tf.tidy(() => tf.image.resizeBilinear(decoded, [size, size], false, true));
  decoded.dispose();
  const params: DreamParams = { ...DEFAULT_DREAM_PARAMS, layers: [{ name: layer, weight: 1 }], octaves: 1, steps: warmup + runs, frameEvery: 1 };
  const gradient = makeGradientFn(model, params);
  const bareInput = tf.tidy(() => tf.mul(photo, model.input.scale).add(model.input.offset).expandDims(0) as tf.Tensor4D);
  const bare = async (): Promise<number> => {
    const t0 = performance.now();
    const { value, grad } = gradient(bareInput);
    await value.data(); // WASM runs ops synchronously, so the gradient is complete too
    tf.dispose([value, grad]);
    return performance.now() - t0;
  };
  const stepMs: number[] = [];
  const bareMs: number[] = [];
  try {
    let t0 = performance.now();
    let n = 0;
    for await (const frame of deepDream(model, photo, params)) {
      const step = performance.now() - t0;
      void frame;
      const b = await bare();
      if (n++ >= warmup) {
        stepMs.push(step);
        bareMs.push(b);
      }
      t0 = performance.now();
    }
  } finally {
    tf.dispose([photo, bareInput]);
    model.dispose();
  }
  const ratio = median(stepMs) / median(bareMs);
  return {
    dream_step_over_bare_engine: Number(ratio.toFixed(3)),
    dream_engine_bench: {
      backend: tf.getBackend(),
      size: `${size}x${size}`,
      layer,
      objective: params.objective,
      runs,
      step_ms_median: Number(median(stepMs).toFixed(1)),
      bare_ms_median: Number(median(bareMs).toFixed(1)),
      target: '≤ 1.15',
      note: 'engine step = deepDream generator step (jitter, gradient, normalise, update, clip, frame readback); bare = forward + gradient of the same objective, objective readback; interleaved, medians',
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  dreamBench().then((r) => console.log(JSON.stringify(r, null, 2)));
}
