/**
 * Film benchmark (Node, WASM backend): one zoom-film frame (zoom resample,
 * S dream steps with a frame readback and a macrotask pause after each, as
 * zoomFilm makes it) against a plain dream of the same S steps at the same
 * size (deepDream, one octave, one readback at the end). Frames and plain
 * dreams are interleaved and medians compared, so machine load affects both
 * alike; the first of each is a warm-up. Encoding is not included here (Node
 * has no WebCodecs); the browser encodes each 64–512 px frame in a few ms.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DREAM_PARAMS, deepDream, type DreamParams } from '../src/engine/dream/dream';
import { zoomFilm } from '../src/engine/film/film';
import { decodeToTensor } from '../src/engine/image/node-codec';
import { fileSystemIO } from '../src/engine/models/fs-io';
import { loadDreamModel } from '../src/engine/models/dream-model';
import { useNodeBackend } from '../src/cli/node-backend';
import { median, ROOT } from './common';

export interface FilmBenchOptions {
  size?: number;
  steps?: number;
  frames?: number;
}

/** Returns the results to merge into bench/results.json. */
export async function filmBench(options: FilmBenchOptions = {}): Promise<Record<string, unknown>> {
  const size = options.size ?? 96;
  const steps = options.steps ?? 3;
  const frames = options.frames ?? 6;
  await useNodeBackend('wasm');
  const model = await loadDreamModel(fileSystemIO(path.join(ROOT, 'public/models/inception-mixed5/model.json')));
  const decoded = decodeToTensor(new Uint8Array(readFileSync(path.join(ROOT, 'public/samples/chelsea.png'))));
  const photo = tf.tidy(() => tf.image.resizeBilinear(decoded, [size, size], false, true));
  decoded.dispose();
  const dream: DreamParams = { ...DEFAULT_DREAM_PARAMS, octaves: 1, steps, frameEvery: steps };
  const before = tf.memory().numTensors;
  const frameMs: number[] = [];
  const plainMs: number[] = [];
  let leaked = 0;
  try {
    const film = zoomFilm(model, photo, { frames, motion: { zoom: 1.05, rotateDeg: 1, driftX: 0, driftY: 0 }, dream, objectives: [] });
    for (let k = 0; k < frames; k++) {
      let t0 = performance.now();
      const next = await film.next();
      if (next.done) break;
      const f = performance.now() - t0;
      t0 = performance.now();
      for await (const frame of deepDream(model, photo, { ...dream, seed: dream.seed + k })) void frame;
      const p = performance.now() - t0;
      if (k > 0) {
        frameMs.push(f);
        plainMs.push(p);
      }
    }
    await film.return(undefined);
    leaked = tf.memory().numTensors - before;
  } finally {
    photo.dispose();
    model.dispose();
  }
  const ratio = median(frameMs) / median(plainMs);
  return {
    film_frame_over_plain_dream: Number(ratio.toFixed(3)),
    film_bench: {
      backend: tf.getBackend(),
      size: `${size}x${size}`,
      steps_per_frame: steps,
      frames_timed: frameMs.length,
      frame_ms_median: Number(median(frameMs).toFixed(1)),
      plain_dream_ms_median: Number(median(plainMs).toFixed(1)),
      tensors_left: leaked,
      target: '≤ 1.2',
      note: 'film frame = zoom resample + S dream steps (readback and macrotask pause after each); plain = deepDream of S steps, one octave; interleaved, medians; encoding not included (Node has no WebCodecs)',
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  filmBench().then((r) => console.log(JSON.stringify(r, null, 2)));
}
