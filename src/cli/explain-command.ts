/**
 * `explain` subcommand: attributes a model's output to its input pixels.
 *
 *   npm run cli -- explain --model public/models/mnist/model.json --input in.json
 *     --method deeplift-rescale|deeplift-revealcancel|gradient|guided-backprop|gradient-x-input|
 *              integrated-gradients|deeplift-shap [--target K] [--contrast J]
 *     [--softmax-normalize] [--all-classes] [--max-pool-mode gradient|crossmax]
 *     [--steps N (integrated gradients)] [--references K (DeepLIFT-SHAP: K noised copies of the reference)]
 *     [--backend cpu|wasm] --out out.json
 *
 * in.json: {"input": [784 numbers in 0..1], "shape": [1,28,28,1], "reference": optional same-length array}
 * out.json: {"attributions": [...], "delta": Δt, "sum": Σ attributions, "logits": [...], ...}
 * The default backend is cpu (deterministic float32). Methods live in the
 * METHODS table so other attribution methods can be added by name.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deepLift, releaseDeepLiftCache, type DeepLiftRule, type MaxPoolMode } from '../engine/deeplift/deeplift';
import type { AttributionResult } from '../engine/attribution/attribution';
import { ATTRIBUTION_METHODS, type MethodName } from '../engine/attribution/methods';
import { fileSystemIO } from '../engine/models/fs-io';
import { useNodeBackend } from './node-backend';
import { UsageError, optionalIndex, parseArgs, required } from './args';

/** The committed MNIST classifier, relative to this file. */
export const DEFAULT_MNIST_MODEL_JSON = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)), '../../public/models/mnist/model.json');

export interface ExplainRequest {
  target?: number;
  contrast: number | null;
  softmaxNormalize: boolean;
  allClasses: boolean;
  maxPoolMode: MaxPoolMode;
  /** Integrated gradients: Riemann steps. */
  steps?: number;
  /** DeepLIFT-SHAP: number of references. */
  referenceCount?: number;
}

/** What every method writes (extra keys allowed). */
export interface ExplainOutput {
  attributions: number[];
  delta: number;
  sum: number;
  logits: number[];
  [key: string]: unknown;
}

/** An attribution method: does not dispose `input` or `reference`. */
export type ExplainMethod = (
  model: tf.LayersModel, input: tf.Tensor, reference: tf.Tensor | undefined, request: ExplainRequest,
) => Promise<ExplainOutput>;

function deepLiftMethod(rule: DeepLiftRule): ExplainMethod {
  return async (model, input, reference, request) => {
    const r = await deepLift(model, input, { rule, reference, ...request });
    return {
      attributions: Array.from(r.attributions),
      delta: r.delta,
      sum: r.sum,
      logits: r.logits,
      target: r.target,
      contrast: r.contrast,
      shape: r.shape,
      referenceLogits: r.referenceLogits,
      probabilities: r.probabilities,
      referenceProbabilities: r.referenceProbabilities,
      ...(r.classMaps ? { classMaps: r.classMaps.map((m) => Array.from(m)), classDeltas: r.classDeltas } : {}),
    };
  };
}

/** The other attribution methods (src/engine/attribution/methods.ts), same output plus completenessError/spread. */
function attributionMethod(name: MethodName): ExplainMethod {
  return async (model, input, reference, request) => {
    const r: AttributionResult = await ATTRIBUTION_METHODS[name](model, input, {
      target: request.target, contrast: request.contrast, reference,
      steps: request.steps, referenceCount: request.referenceCount,
    });
    return {
      attributions: Array.from(r.attributions),
      delta: r.delta as number,
      sum: r.sum,
      logits: r.logits,
      target: r.target,
      contrast: r.contrast,
      shape: r.shape,
      completenessError: r.completenessError,
      ...(r.spread ? { spread: { ...r.spread, pixelStd: Array.from(r.spread.pixelStd) } } : {}),
    };
  };
}

/** Method name → implementation. Add new methods here. */
export const METHODS: Record<string, ExplainMethod> = {
  'deeplift-rescale': deepLiftMethod('rescale'),
  'deeplift-revealcancel': deepLiftMethod('revealcancel'),
  gradient: attributionMethod('gradient'),
  'guided-backprop': attributionMethod('guided-backprop'),
  'gradient-x-input': attributionMethod('gradient-x-input'),
  'integrated-gradients': attributionMethod('integrated-gradients'),
  'deeplift-shap': attributionMethod('deeplift-shap'),
};

export const EXPLAIN_USAGE =
  'usage: explain --input <in.json> --method ' + Object.keys(METHODS).join('|') +
  ' --out <out.json> [--model model.json] [--target K] [--contrast J] [--softmax-normalize]' +
  ' [--all-classes] [--max-pool-mode gradient|crossmax] [--steps N] [--references K] [--backend cpu|wasm]';

export interface ExplainCommandOptions {
  model: string;
  input: string;
  out: string;
  method: string;
  backend: 'cpu' | 'wasm';
  request: ExplainRequest;
}

/** Parses the subcommand's arguments (without the word `explain`). Throws UsageError. */
export function parseExplainArgs(argv: readonly string[]): ExplainCommandOptions {
  const args = parseArgs(argv,
    ['model', 'input', 'out', 'method', 'target', 'contrast', 'backend', 'max-pool-mode', 'steps', 'references'],
    ['softmax-normalize', 'all-classes'], EXPLAIN_USAGE);
  const method = required(args, 'method', EXPLAIN_USAGE);
  if (!(method in METHODS)) throw new UsageError(`unknown method "${method}"\n${EXPLAIN_USAGE}`);
  const backend = args.values.get('backend') ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'wasm') throw new UsageError(`--backend must be cpu or wasm, got "${backend}"`);
  const maxPoolMode = args.values.get('max-pool-mode') ?? 'gradient';
  if (maxPoolMode !== 'gradient' && maxPoolMode !== 'crossmax') {
    throw new UsageError(`--max-pool-mode must be gradient or crossmax, got "${maxPoolMode}"`);
  }
  return {
    model: args.values.get('model') ?? DEFAULT_MNIST_MODEL_JSON,
    input: required(args, 'input', EXPLAIN_USAGE),
    out: required(args, 'out', EXPLAIN_USAGE),
    method,
    backend,
    request: {
      target: optionalIndex(args, 'target'),
      contrast: optionalIndex(args, 'contrast') ?? null,
      softmaxNormalize: args.flags.has('softmax-normalize'),
      allClasses: args.flags.has('all-classes'),
      maxPoolMode,
      steps: positiveOption(args, 'steps'),
      referenceCount: positiveOption(args, 'references'),
    },
  };
}

function positiveOption(args: ReturnType<typeof parseArgs>, name: string): number | undefined {
  const v = optionalIndex(args, name);
  if (v === 0) throw new UsageError(`--${name} must be at least 1`);
  return v;
}

interface InputFile { input: number[]; shape: number[]; reference?: number[] }

function readInputFile(text: string, file: string): InputFile {
  const data = JSON.parse(text) as Partial<InputFile>;
  if (!Array.isArray(data.input) || !Array.isArray(data.shape)) {
    throw new UsageError(`${file}: expected {"input": [...], "shape": [...], "reference"?: [...]}`);
  }
  const size = data.shape.reduce((a, b) => a * b, 1);
  if (data.input.length !== size) throw new UsageError(`${file}: input has ${data.input.length} values, shape [${data.shape}] needs ${size}`);
  if (data.reference !== undefined && (!Array.isArray(data.reference) || data.reference.length !== size)) {
    throw new UsageError(`${file}: reference must have ${size} values`);
  }
  return data as InputFile;
}

/** Runs the explanation described by `options` and writes its JSON; returns what was written. */
export async function runExplain(options: ExplainCommandOptions): Promise<ExplainOutput> {
  await useNodeBackend(options.backend);
  const file = readInputFile(await readFile(options.input, 'utf8'), options.input);
  const model = await tf.loadLayersModel(fileSystemIO(options.model));
  const input = tf.tensor(file.input, file.shape, 'float32');
  const reference = file.reference ? tf.tensor(file.reference, file.shape, 'float32') : undefined;
  try {
    const result = await METHODS[options.method](model, input, reference, options.request);
    const output: ExplainOutput = { method: options.method, backend: tf.getBackend(), ...result };
    await writeFile(options.out, JSON.stringify(output));
    return output;
  } finally {
    input.dispose();
    reference?.dispose();
    releaseDeepLiftCache(model);
    model.dispose();
  }
}

/** Entry point for `explain`; returns the process exit code. */
export async function explainCommand(argv: readonly string[]): Promise<number> {
  let options: ExplainCommandOptions;
  try {
    options = parseExplainArgs(argv);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const out = await runExplain(options);
  console.error(`wrote ${options.out}: ${options.method} on ${String(out.backend)}, target ${String(out.target)}, ` +
    `Δt = ${out.delta === null ? 'n/a' : out.delta.toPrecision(6)}, Σ = ${out.sum.toPrecision(6)}`);
  return 0;
}
