/**
 * `visualize` subcommand: feature visualisation of one unit of a layer in Node.
 *
 *   npm run cli -- visualize --layer mixed4 --channel 17 --out fv.png
 *     [--size 128] [--steps 128] [--seed 1] [--objective channel|neuron|layer|negative]
 *     [--lr 0.05] [--decay 1] [--no-robust] [--report] [--backend wasm|cpu] [--model model.json]
 *
 * Defaults are DEFAULT_VISUALIZE_PARAMS (engine/visualize/params.ts). The
 * model defaults to the committed InceptionV3 trunk; another LayersModel
 * (model.json) may be given, with inputs in [0, 1].
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VISUALIZATION_OBJECTIVES, type VisualizationObjective } from '../engine/dream/objective';
import { decodeToTensor, encodePng } from '../engine/image/node-codec';
import { fileSystemIO } from '../engine/models/fs-io';
import { TRUNK_INPUT } from '../engine/models/trunk-info';
import { DEFAULT_VISUALIZE_PARAMS, type VisualizeParams } from '../engine/visualize/params';
import { channelMeans, highFrequencyPower, relativeActivation, usualActivation } from '../engine/visualize/quality';
import { layerOutputModel, visualizeToImage } from '../engine/visualize/visualize';
import { parseArgs, required, UsageError } from './args';
import { DEFAULT_MODEL_JSON } from './dream-command';
import { useNodeBackend } from './node-backend';

export const VISUALIZE_USAGE =
  'usage: visualize --layer <layer> --channel <C> --out <fv.png> [--size 128] [--steps 128] [--seed 1] ' +
  '[--objective channel|neuron|layer|negative] [--lr 0.05] [--decay 1] [--no-robust] [--report] [--backend wasm|cpu] [--model model.json]';

export interface VisualizeCommandOptions {
  out: string;
  model: string;
  backend: 'wasm' | 'cpu';
  params: VisualizeParams;
  report: boolean;
}

/** The sample photos the usual activations come from. */
export const SAMPLE_PHOTOS = ['astronaut.png', 'chelsea.png', 'rocket.jpg'].map((f) =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/samples', f));

/** What `--report` measures. */
export interface VisualizeReport {
  /** 0-based rank of the channel by relative activation among the layer's channels. */
  rank: number;
  channels: number;
  /** The channel's activation on the visualisation / its usual activation. */
  ratio: number;
  highFrequencyPower: number;
}

/** Parses the subcommand's arguments (without the word `visualize`). Throws UsageError. */
export function parseVisualizeArgs(argv: readonly string[]): VisualizeCommandOptions {
  const args = parseArgs(argv, ['layer', 'channel', 'out', 'size', 'steps', 'seed', 'objective', 'lr', 'decay', 'backend', 'model'], ['no-robust', 'report', 'help'], VISUALIZE_USAGE);
  if (args.flags.has('help')) throw new UsageError(VISUALIZE_USAGE);
  const d = DEFAULT_VISUALIZE_PARAMS;
  const num = (name: string, fallback: number, integer: boolean): number => {
    const v = args.values.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a${integer ? ' whole' : ''} number, got "${v}"`);
    return n;
  };
  const out = required(args, 'out', VISUALIZE_USAGE);
  if (!/\.png$/i.test(out)) throw new UsageError('--out must end in .png');
  const objective = (args.values.get('objective') ?? d.objective) as VisualizationObjective;
  if (!VISUALIZATION_OBJECTIVES.includes(objective)) throw new UsageError(`--objective must be one of ${VISUALIZATION_OBJECTIVES.join(', ')}`);
  if (objective !== 'layer' && !args.values.has('channel')) throw new UsageError(`--channel is required for the ${objective} objective\n${VISUALIZE_USAGE}`);
  const backend = args.values.get('backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError('--backend must be wasm or cpu');
  return {
    out,
    model: args.values.get('model') ?? DEFAULT_MODEL_JSON,
    backend,
    report: args.flags.has('report'),
    params: {
      ...d,
      layer: required(args, 'layer', VISUALIZE_USAGE),
      channel: num('channel', 0, true),
      objective,
      size: num('size', d.size, true),
      steps: num('steps', d.steps, true),
      seed: num('seed', d.seed, true),
      learningRate: num('lr', d.learningRate, false),
      decay: num('decay', d.decay, false),
      robust: !args.flags.has('no-robust'),
    },
  };
}

/** Runs `visualize` with parsed options and writes the PNG. `log` gets progress lines. */
export async function runVisualize(
  options: VisualizeCommandOptions, log: (line: string) => void = () => {},
): Promise<{ objective: number; width: number; height: number; report: VisualizeReport | null }> {
  await useNodeBackend(options.backend);
  const model = await tf.loadLayersModel(fileSystemIO(options.model));
  try {
    for (const layer of model.layers) layer.trainable = false;
    const layerModel = layerOutputModel(model, options.params.layer);
    const every = Math.max(1, Math.round(options.params.steps / 8));
    const result = await visualizeToImage(layerModel, TRUNK_INPUT, options.params, {
      onProgress: (f) => {
        if (f.step % every === 0 || f.step === f.steps) log(`step ${f.step}/${f.steps} objective ${f.objective.toFixed(4)}`);
      },
    });
    await writeFile(options.out, encodePng(result.width, result.height, result.pixels));
    const report = options.report ? await measure(layerModel, result.pixels, options.params) : null;
    if (report) {
      log(`channel ${options.params.channel}: rank ${report.rank + 1} of ${report.channels} by activation relative to photos ` +
        `(×${report.ratio.toFixed(1)} its usual); high-frequency power ${(100 * report.highFrequencyPower).toFixed(2)} %`);
    }
    return { objective: result.objective, width: result.width, height: result.height, report };
  } finally {
    model.dispose();
  }
}

/** Relative activation rank of the visualised channel and the image's high-frequency share. */
export async function measure(layerModel: tf.LayersModel, pixels: Uint8ClampedArray, params: VisualizeParams): Promise<VisualizeReport> {
  const { size } = params;
  const photos = await Promise.all(SAMPLE_PHOTOS.map(async (f) => {
    const raw = decodeToTensor(new Uint8Array(await readFile(f)));
    const scaled = tf.tidy(() => tf.add(tf.mul(raw, TRUNK_INPUT.scale), TRUNK_INPUT.offset) as tf.Tensor3D);
    raw.dispose();
    return scaled;
  }));
  const image = tf.tidy(() => tf.div(tf.slice(tf.tensor4d(Float32Array.from(pixels), [1, size, size, 4]), [0, 0, 0, 0], [1, size, size, 3]), 255) as tf.Tensor4D);
  try {
    const usual = await usualActivation(layerModel, photos, size);
    const seen = await channelMeans(layerModel, [image]);
    const r = relativeActivation(seen, usual, params.channel);
    return { rank: r.rank, channels: seen.length, ratio: r.ratios[params.channel], highFrequencyPower: highFrequencyPower(pixels, size, size) };
  } finally {
    tf.dispose([...photos, image]);
  }
}

/** Entry point for src/cli/main.ts: `visualize …` arguments → exit code. */
export async function visualizeCommand(argv: readonly string[]): Promise<number> {
  let options: VisualizeCommandOptions;
  try {
    options = parseVisualizeArgs(argv);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const t0 = Date.now();
  await runVisualize(options, (line) => console.error(line));
  console.error(`wrote ${options.out} (${tf.getBackend()}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}
