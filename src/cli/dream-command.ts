/**
 * `dream` subcommand: runs the Deep Dream engine on an image file in Node.
 *
 *   npm run cli -- dream --image in.png --layer mixed3 --out out.png
 *     [--channel C] [--octaves 4] [--octave-scale 1.4] [--steps 10]
 *     [--step-size 0.01] [--max-side 256] [--seed 1] [--objective mean|l2]
 *     [--jitter 32] [--tile-size 512] [--blur σ] [--from-noise] [--backend wasm|cpu]
 *     [--model path/to/model.json] [--guide guide.png]
 *
 * `--guide` makes a guided dream (engine/dream/guide.ts): the single chosen
 * layer is pulled towards the guide image's features (the guide is scaled to
 * at most GUIDE_MAX_SIDE px first); not with --channel or a mix of layers.
 *
 * `--layer` takes one layer or a weighted mix: `mixed3`, `mixed3,mixed5`,
 * `mixed3:1,mixed5:0.5`. Output format follows the extension (.png, .jpg).
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DREAM_PARAMS, deepDream, type DreamFrame, type DreamParams } from '../engine/dream/dream';
import { guideFeatures } from '../engine/dream/guide';
import { GUIDE_MAX_SIDE } from '../engine/dream/params';
import { decodeToTensor, encodeJpeg, encodePng } from '../engine/image/node-codec';
import { fileSystemIO } from '../engine/models/fs-io';
import { loadDreamModel, type DreamModel } from '../engine/models/dream-model';
import { useNodeBackend } from './node-backend';

/** The committed trunk, relative to this file. */
export const DEFAULT_MODEL_JSON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/models/inception-mixed5/model.json');

export interface DreamCommandOptions {
  image: string;
  out: string;
  model: string;
  backend: 'wasm' | 'cpu';
  /** Longest side the photo is resized to (down only) before dreaming. */
  maxSide: number;
  params: DreamParams;
  /** A guide image file (guided dream), or null. */
  guide: string | null;
}

/** Thrown for a bad command line; the message says what to fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const DREAM_USAGE =
  'usage: dream --image <in.png|jpg> --out <out.png|jpg> [--layer mixed3[,mixed5[:w]]] [--channel C] [--octaves N] ' +
  '[--octave-scale S] [--steps N] [--step-size S] [--max-side PX] [--seed N] [--objective mean|l2] [--jitter PX] ' +
  '[--tile-size PX] [--blur SIGMA] [--from-noise] [--backend wasm|cpu] [--model model.json] [--guide guide.png|jpg]';

function parseLayers(spec: string): DreamParams['layers'] {
  return spec.split(',').map((part) => {
    const [name, weight] = part.split(':');
    const w = weight === undefined ? 1 : Number(weight);
    if (!name || !Number.isFinite(w)) throw new UsageError(`bad --layer entry "${part}"`);
    return { name: name.trim(), weight: w };
  });
}

/** Parses the subcommand's arguments (without the word `dream`). Throws UsageError. */
export function parseDreamArgs(argv: readonly string[]): DreamCommandOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"\n${DREAM_USAGE}`);
    const key = arg.slice(2);
    if (key === 'from-noise' || key === 'help') {
      flags.add(key);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${key} needs a value\n${DREAM_USAGE}`);
    values.set(key, value);
    i++;
  }
  if (flags.has('help')) throw new UsageError(DREAM_USAGE);
  const known = ['image', 'out', 'layer', 'channel', 'octaves', 'octave-scale', 'steps', 'step-size', 'max-side', 'seed', 'objective', 'jitter', 'tile-size', 'backend', 'model', 'frame-every', 'blur', 'guide'];
  for (const k of values.keys()) if (!known.includes(k)) throw new UsageError(`unknown option --${k}\n${DREAM_USAGE}`);
  const num = (key: string, fallback: number): number => {
    const v = values.get(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--${key} must be a number, got "${v}"`);
    return n;
  };
  const image = values.get('image');
  const out = values.get('out');
  if (!image || !out) throw new UsageError(`--image and --out are required\n${DREAM_USAGE}`);
  const objective = values.get('objective') ?? DEFAULT_DREAM_PARAMS.objective;
  if (objective !== 'mean' && objective !== 'l2') throw new UsageError('--objective must be mean or l2');
  const backend = values.get('backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError('--backend must be wasm or cpu');
  if (!/\.(png|jpe?g)$/i.test(out)) throw new UsageError('--out must end in .png, .jpg or .jpeg');
  const channel = values.has('channel') ? num('channel', 0) : null;
  const d = DEFAULT_DREAM_PARAMS;
  const guide = values.get('guide') ?? null;
  const layers = values.has('layer') ? parseLayers(values.get('layer')!) : d.layers.map((l) => ({ ...l }));
  if (guide !== null && channel !== null) throw new UsageError('--guide applies to the whole layer: use --guide or --channel, not both');
  if (guide !== null && layers.length !== 1) throw new UsageError('--guide needs a single --layer');
  return {
    guide,
    image,
    out,
    model: values.get('model') ?? DEFAULT_MODEL_JSON,
    backend,
    maxSide: num('max-side', 256),
    params: {
      layers,
      channel,
      objective,
      octaves: num('octaves', d.octaves),
      octaveScale: num('octave-scale', d.octaveScale),
      steps: num('steps', d.steps),
      stepSize: num('step-size', d.stepSize),
      tileSize: num('tile-size', d.tileSize),
      jitter: num('jitter', d.jitter),
      seed: num('seed', d.seed),
      frameEvery: num('frame-every', Math.max(1, num('steps', d.steps))),
      fromNoise: flags.has('from-noise'),
      gradientBlur: num('blur', d.gradientBlur ?? 0),
    },
  };
}

/** `image` scaled down (never up) so its longest side is at most maxSide; a new tensor the caller owns. */
function fitTensor(image: tf.Tensor3D, maxSide: number): tf.Tensor3D {
  const [h, w] = image.shape;
  const f = Math.min(1, maxSide / Math.max(h, w));
  if (f === 1) return image.clone();
  return tf.tidy(() => tf.image.resizeBilinear(image, [Math.max(1, Math.round(h * f)), Math.max(1, Math.round(w * f))], false, true));
}

/** The guide file's features at `layer` (scaled to GUIDE_MAX_SIDE first); the caller owns them. */
async function readGuide(file: string, model: DreamModel, layer: string): Promise<tf.Tensor2D> {
  const decoded = decodeToTensor(new Uint8Array(await readFile(file)));
  const fitted = fitTensor(decoded, GUIDE_MAX_SIDE);
  decoded.dispose();
  try {
    return guideFeatures(model, layer, fitted);
  } finally {
    fitted.dispose();
  }
}

/**
 * Runs `dream` with already-parsed options: reads the image, resizes it so its
 * longest side is at most maxSide, dreams (guided by `guide` when given), writes the final image. `log` gets
 * one progress line per frame. Returns the final frame.
 */
export async function runDream(options: DreamCommandOptions, log: (line: string) => void = () => {}): Promise<DreamFrame> {
  await useNodeBackend(options.backend);
  const model = await loadDreamModel(fileSystemIO(options.model));
  const decoded = decodeToTensor(new Uint8Array(await readFile(options.image)));
  const photo = fitTensor(decoded, options.maxSide);
  let guide: tf.Tensor2D | null = null;
  try {
    const layer = options.params.layers[0].name;
    if (options.guide !== null) guide = await readGuide(options.guide, model, layer);
    const params: DreamParams = guide ? { ...options.params, guide: { layer, features: guide } } : options.params;
    let last: DreamFrame | null = null;
    for await (const frame of deepDream(model, photo, params)) {
      last = frame;
      log(`octave ${frame.octave + 1}/${frame.octaves} step ${frame.step}/${frame.steps} ${frame.width}×${frame.height} objective ${frame.objective.toFixed(4)}`);
    }
    if (!last) throw new Error('the dream produced no frame');
    const bytes = /\.png$/i.test(options.out) ? encodePng(last.width, last.height, last.pixels) : encodeJpeg(last.width, last.height, last.pixels);
    await writeFile(options.out, bytes);
    return last;
  } finally {
    guide?.dispose();
    photo.dispose();
    decoded.dispose();
    model.dispose();
  }
}

/** Entry point for src/cli/main.ts: `dream …` arguments → exit code. */
export async function dreamCommand(argv: readonly string[]): Promise<number> {
  let options: DreamCommandOptions;
  try {
    options = parseDreamArgs(argv);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const t0 = Date.now();
  await runDream(options, (line) => console.error(line));
  console.error(`wrote ${options.out} (${tf.getBackend()}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}
