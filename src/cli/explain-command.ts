/**
 * `explain` subcommand: attributes a model's output to its input pixels.
 *
 *   npm run cli -- explain --model model.json (--input in.json | --image photo.jpg)
 *     --method deeplift-rescale|deeplift-revealcancel|gradient|guided-backprop|gradient-x-input|
 *              integrated-gradients|deeplift-shap [--target K] [--contrast J]
 *     [--softmax-normalize] [--all-classes] [--max-pool-mode gradient|crossmax]
 *     [--steps N (integrated gradients)] [--references K (DeepLIFT-SHAP: K noised copies of the reference)]
 *     [--scale unit|tf|caffe|raw] [--size H,W] [--labels labels.txt] [--top K]
 *     [--reference black|grey|blur|ref.json] [--blur-sigma S] [--heatmap out.png] [--save-input x.json]
 *     [--backend cpu|wasm] --out out.json
 *
 * in.json: {"input": [...], "shape": [N, H, W, C] (any model input shape), "reference"?: [...]}
 * out.json for N = 1: {"attributions": [...], "delta": Δt, "sum": Σ attributions, "logits": [...], ...};
 * for N > 1: {"method", "backend", "results": [one such object per image]}.
 * --image decodes a PNG/JPEG, resizes it (bilinear, half-pixel centres) to --size or the model's
 * input size and scales it with --scale (photo-input.ts). The default backend is cpu (deterministic
 * float32). Methods live in the METHODS table so other attribution methods can be added by name.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  deepLiftBatch, releaseDeepLiftCache, type DeepLiftRule, type MaxPoolMode,
} from '../engine/deeplift/deeplift';
import type { AttributionResult } from '../engine/attribution/attribution';
import { ATTRIBUTION_METHODS, type MethodName } from '../engine/attribution/methods';
import { decodeToTensor, encodePng } from '../engine/image/node-codec';
import {
  PIXEL_SCALES, type PixelScale, heatmapOverPhoto, parseLabels, photoReference, resizePhoto, scalePixels, unscalePixels,
} from '../engine/image/photo-input';
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
  /** Also explain each image's k highest logits (0: no). */
  topK?: number;
}

/** One of the top-k classes of an image. */
export interface TopEntry {
  class: number;
  label?: string;
  logit: number;
  probability: number;
  delta: number | null;
  sum: number;
  attributions: number[];
}

/** What every method writes for one image (extra keys allowed). */
export interface ExplainOutput {
  attributions: number[];
  delta: number | null;
  sum: number;
  logits: number[];
  top?: TopEntry[];
  [key: string]: unknown;
}

/**
 * An attribution method over a batch: `input` [N, ...], `reference` the
 * same shape or undefined; one output per image. Does not dispose
 * `input` or `reference`.
 */
export type ExplainMethod = (
  model: tf.LayersModel, input: tf.Tensor, reference: tf.Tensor | undefined, request: ExplainRequest,
) => Promise<ExplainOutput[]>;

/** The keys every method writes, in today's order. */
function commonOutput(r: {
  attributions: Float32Array; delta: number | null; sum: number; logits: number[];
  target: number; contrast: number | null; shape: number[];
}): ExplainOutput {
  return {
    attributions: Array.from(r.attributions), delta: r.delta, sum: r.sum, logits: r.logits,
    target: r.target, contrast: r.contrast, shape: r.shape,
  };
}

function deepLiftMethod(rule: DeepLiftRule): ExplainMethod {
  return async (model, input, reference, request) => {
    const results = await deepLiftBatch(model, input, { rule, reference, ...request });
    return results.map((r) => ({
      ...commonOutput(r),
      referenceLogits: r.referenceLogits,
      probabilities: r.probabilities,
      referenceProbabilities: r.referenceProbabilities,
      ...(r.classMaps ? { classMaps: r.classMaps.map((m) => Array.from(m)), classDeltas: r.classDeltas } : {}),
      ...(r.top ? {
        top: r.top.map((t) => ({
          class: t.classIndex, logit: r.logits[t.classIndex], probability: r.probabilities[t.classIndex],
          delta: t.delta, sum: t.sum, attributions: Array.from(t.attributions),
        })),
      } : {}),
    }));
  };
}

function imageAt(t: tf.Tensor, i: number): tf.Tensor {
  return tf.slice(t, [i, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1)]);
}

/** The other attribution methods (src/engine/attribution/methods.ts), same output plus completenessError/spread. */
function attributionMethod(name: MethodName): ExplainMethod {
  return async (model, input, reference, request) => {
    const outputs: ExplainOutput[] = [];
    for (let i = 0; i < input.shape[0]; i++) {
      const x = imageAt(input, i);
      const x0 = reference ? imageAt(reference, i) : undefined;
      try {
        const run = (target: number | undefined, contrast: number | null) => ATTRIBUTION_METHODS[name](model, x, {
          target, contrast, reference: x0, steps: request.steps, referenceCount: request.referenceCount,
        });
        const r: AttributionResult = await run(request.target, request.contrast);
        const out: ExplainOutput = {
          ...commonOutput(r),
          completenessError: r.completenessError,
          ...(r.spread ? { spread: { ...r.spread, pixelStd: Array.from(r.spread.pixelStd) } } : {}),
        };
        if (request.topK) {
          const order = r.logits.map((_, c) => c).sort((a, b) => r.logits[b] - r.logits[a]).slice(0, request.topK);
          out.top = [];
          for (const c of order) {
            const t = await run(c, null);
            out.top.push({
              class: c, logit: r.logits[c], probability: Number.NaN, delta: t.delta, sum: t.sum,
              attributions: Array.from(t.attributions),
            });
          }
        }
        outputs.push(out);
      } finally {
        x.dispose();
        x0?.dispose();
      }
    }
    return outputs;
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
  'usage: explain (--input <in.json> | --image <photo.png|jpg>) --method ' + Object.keys(METHODS).join('|') +
  ' --out <out.json> [--model model.json] [--target K] [--contrast J] [--softmax-normalize]' +
  ' [--all-classes] [--max-pool-mode gradient|crossmax] [--steps N] [--references K]' +
  ' [--scale unit|tf|caffe|raw] [--size H,W] [--labels labels.txt] [--top K]' +
  ' [--reference black|grey|blur|<ref.json>] [--blur-sigma S] [--heatmap out.png] [--save-input in.json]' +
  ' [--backend cpu|wasm]';

export type ReferenceOption = { kind: 'black' | 'grey' | 'blur' } | { kind: 'file'; path: string };

export interface ExplainCommandOptions {
  model: string;
  /** in.json, or undefined with `image`. */
  input?: string;
  /** A PNG/JPEG photo instead of `input`. */
  image?: string;
  out: string;
  method: string;
  backend: 'cpu' | 'wasm';
  request: ExplainRequest;
  /** How model input values relate to photo pixels (default 'unit'). */
  scale: PixelScale;
  /** --image: resize to [H, W] (default: the model's input size, else the photo's). */
  size?: [number, number];
  labels?: string;
  reference?: ReferenceOption;
  blurSigma?: number;
  heatmap?: string;
  saveInput?: string;
}

/** Parses the subcommand's arguments (without the word `explain`). Throws UsageError. */
export function parseExplainArgs(argv: readonly string[]): ExplainCommandOptions {
  const args = parseArgs(argv,
    ['model', 'input', 'image', 'out', 'method', 'target', 'contrast', 'backend', 'max-pool-mode', 'steps', 'references',
      'scale', 'size', 'labels', 'top', 'reference', 'blur-sigma', 'heatmap', 'save-input'],
    ['softmax-normalize', 'all-classes'], EXPLAIN_USAGE);
  const method = required(args, 'method', EXPLAIN_USAGE);
  if (!(method in METHODS)) throw new UsageError(`unknown method "${method}"\n${EXPLAIN_USAGE}`);
  const backend = args.values.get('backend') ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'wasm') throw new UsageError(`--backend must be cpu or wasm, got "${backend}"`);
  const maxPoolMode = args.values.get('max-pool-mode') ?? 'gradient';
  if (maxPoolMode !== 'gradient' && maxPoolMode !== 'crossmax') {
    throw new UsageError(`--max-pool-mode must be gradient or crossmax, got "${maxPoolMode}"`);
  }
  const input = args.values.get('input');
  const image = args.values.get('image');
  if ((input === undefined) === (image === undefined)) throw new UsageError(`give exactly one of --input and --image\n${EXPLAIN_USAGE}`);
  const scale = args.values.get('scale') ?? 'unit';
  if (!(PIXEL_SCALES as readonly string[]).includes(scale)) throw new UsageError(`--scale must be ${PIXEL_SCALES.join('|')}, got "${scale}"`);
  let size: [number, number] | undefined;
  const sizeText = args.values.get('size');
  if (sizeText !== undefined) {
    if (image === undefined) throw new UsageError('--size goes with --image');
    const parts = sizeText.split(/[,x×]/).map(Number);
    if (parts.length !== 2 || parts.some((v) => !Number.isInteger(v) || v < 1)) throw new UsageError(`--size must be H,W (positive integers), got "${sizeText}"`);
    size = [parts[0], parts[1]];
  }
  const refText = args.values.get('reference');
  const reference: ReferenceOption | undefined = refText === undefined ? undefined
    : refText === 'black' || refText === 'grey' || refText === 'blur' ? { kind: refText } : { kind: 'file', path: refText };
  const blurText = args.values.get('blur-sigma');
  const blurSigma = blurText === undefined ? undefined : Number(blurText);
  if (blurSigma !== undefined && !(blurSigma > 0)) throw new UsageError(`--blur-sigma must be a positive number, got "${blurText}"`);
  const heatmap = args.values.get('heatmap');
  if (heatmap !== undefined && !/\.png$/i.test(heatmap)) throw new UsageError('--heatmap must end in .png');
  return {
    model: args.values.get('model') ?? DEFAULT_MNIST_MODEL_JSON,
    input,
    image,
    out: required(args, 'out', EXPLAIN_USAGE),
    method,
    backend,
    scale: scale as PixelScale,
    size,
    labels: args.values.get('labels'),
    reference,
    blurSigma,
    heatmap,
    saveInput: args.values.get('save-input'),
    request: {
      target: optionalIndex(args, 'target'),
      contrast: optionalIndex(args, 'contrast') ?? null,
      softmaxNormalize: args.flags.has('softmax-normalize'),
      allClasses: args.flags.has('all-classes'),
      maxPoolMode,
      steps: positiveOption(args, 'steps'),
      referenceCount: positiveOption(args, 'references'),
      topK: optionalIndex(args, 'top'),
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
  if (data.reference !== undefined && (!Array.isArray(data.reference) ||
      (data.reference.length !== size && data.reference.length !== size / data.shape[0]))) {
    throw new UsageError(`${file}: reference must have ${size} values (or ${size / data.shape[0]}, one image for all)`);
  }
  return data as InputFile;
}

/** A reference file: {"reference": [...]} or {"input": [...]} or a bare array, of one image or of the batch. */
async function readReferenceFile(file: string, imageSize: number, batch: number): Promise<Float32Array> {
  const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
  const values = Array.isArray(data) ? data
    : (data as { reference?: unknown; input?: unknown }).reference ?? (data as { input?: unknown }).input;
  if (!Array.isArray(values) || (values.length !== imageSize && values.length !== imageSize * batch)) {
    throw new UsageError(`${file}: the reference must be an array of ${imageSize} values (one image) or ${imageSize * batch} (the batch)`);
  }
  return Float32Array.from(values as number[]);
}

/** The batch to explain, the photo pixels for the heatmap and the image geometry. */
interface Prepared {
  values: Float32Array;
  shape: number[];
  /** RGB 0..255 per image, for --heatmap (from the photo, or unscaled from the input). */
  photos255: Float32Array[] | null;
  height: number;
  width: number;
  channels: number;
}

async function prepareInput(options: ExplainCommandOptions, model: tf.LayersModel): Promise<Prepared & { fileReference?: number[] }> {
  const modelShape = model.inputs[0].shape.slice(1);
  if (options.image !== undefined) {
    if (modelShape.length !== 3) throw new UsageError(`--image needs a model with image input [H, W, C], this one takes [${modelShape}]`);
    const channels = modelShape[2] ?? 3;
    const photo = decodeToTensor(new Uint8Array(await readFile(options.image)));
    try {
      const height = options.size?.[0] ?? modelShape[0] ?? photo.shape[0];
      const width = options.size?.[1] ?? modelShape[1] ?? photo.shape[1];
      const rgb = await resizePhoto(photo, height, width);
      const values = scalePixels(rgb, options.scale, channels);
      return { values, shape: [1, height, width, channels], photos255: [rgb], height, width, channels };
    } finally {
      photo.dispose();
    }
  }
  const file = readInputFile(await readFile(options.input as string, 'utf8'), options.input as string);
  const isImage = file.shape.length === 4 && (file.shape[3] === 1 || file.shape[3] === 3);
  const [n, height, width, channels] = isImage ? file.shape : [file.shape[0], 0, 0, 0];
  const values = Float32Array.from(file.input);
  let photos255: Float32Array[] | null = null;
  if (isImage) {
    const size = height * width * channels;
    photos255 = Array.from({ length: n }, (_, i) => unscalePixels(values.subarray(i * size, (i + 1) * size), options.scale, channels));
  }
  return { values, shape: file.shape, photos255, height, width, channels, fileReference: file.reference };
}

async function buildReference(
  options: ExplainCommandOptions, prepared: Prepared & { fileReference?: number[] },
): Promise<Float32Array | undefined> {
  const { shape, values, height, width, channels } = prepared;
  const batch = shape[0];
  const imageSize = values.length / batch;
  const spec = options.reference;
  if (!spec) return prepared.fileReference ? Float32Array.from(prepared.fileReference) : undefined;
  if (spec.kind === 'file') return readReferenceFile(spec.path, imageSize, batch);
  if (prepared.photos255 === null) {
    if (spec.kind !== 'black') throw new UsageError(`--reference ${spec.kind} needs an image input [N, H, W, 1 or 3]`);
    return new Float32Array(imageSize);
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < batch; i++) {
    out.set(photoReference(spec.kind, values.subarray(i * imageSize, (i + 1) * imageSize), height, width, channels,
      options.scale, options.blurSigma), i * imageSize);
  }
  return out;
}

/** Labels from --labels, else the model's userDefinedMetadata.labels, else none. */
async function readLabels(options: ExplainCommandOptions): Promise<string[] | null> {
  if (options.labels !== undefined) return parseLabels(await readFile(options.labels, 'utf8'));
  try {
    const json = JSON.parse(await readFile(options.model, 'utf8')) as { userDefinedMetadata?: { labels?: unknown } };
    const labels = json.userDefinedMetadata?.labels;
    return Array.isArray(labels) && labels.every((l) => typeof l === 'string') ? labels as string[] : null;
  } catch {
    return null;
  }
}

/** Model outputs (probabilities after the final activation) per image, for the top-k list. */
async function modelOutputs(model: tf.LayersModel, input: tf.Tensor): Promise<number[][]> {
  const y = tf.tidy(() => {
    const out = model.predict(input) as tf.Tensor;
    return tf.reshape(out, [input.shape[0], -1]);
  });
  try {
    return (await y.array()) as number[][];
  } finally {
    y.dispose();
  }
}

function heatmapPath(base: string, index: number, batch: number): string {
  return batch === 1 ? base : base.replace(/\.png$/i, `-${index}.png`);
}

/**
 * Sets every free spatial dimension of the model's declared input
 * (`batch_input_shape` / `batch_shape` in the topology) to [height, width]:
 * DeepLIFT needs a fixed size, and a fully convolutional model computes the
 * same at any size.
 */
function fixedInputIO(io: tf.io.IOHandler, height: number, width: number): tf.io.IOHandler {
  return {
    load: async () => {
      const artifacts = await (io.load as () => Promise<tf.io.ModelArtifacts>)();
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) { v.forEach(visit); return; }
        if (v === null || typeof v !== 'object') return;
        const o = v as Record<string, unknown>;
        for (const key of ['batch_input_shape', 'batch_shape']) {
          const shape = o[key];
          if (Array.isArray(shape) && shape.length === 4) o[key] = [shape[0], shape[1] ?? height, shape[2] ?? width, shape[3]];
        }
        Object.values(o).forEach(visit);
      };
      visit(artifacts.modelTopology);
      return artifacts;
    },
  };
}

/** Loads the model; with --image and --size, a model with free spatial input dimensions gets that size. */
async function loadModel(options: ExplainCommandOptions): Promise<tf.LayersModel> {
  let model = await tf.loadLayersModel(fileSystemIO(options.model));
  const shape = model.inputs[0].shape;
  const free = shape.length === 4 && (shape[1] === null || shape[2] === null);
  if (!free) return model;
  let size = options.size;
  if (!size && options.image !== undefined) {
    const photo = decodeToTensor(new Uint8Array(await readFile(options.image)));
    size = [photo.shape[0], photo.shape[1]];
    photo.dispose();
  }
  if (!size && options.input !== undefined) {
    const file = readInputFile(await readFile(options.input, 'utf8'), options.input);
    if (file.shape.length === 4) size = [file.shape[1], file.shape[2]];
  }
  if (!size) return model;
  model.dispose();
  model = await tf.loadLayersModel(fixedInputIO(fileSystemIO(options.model), size[0], size[1]));
  return model;
}

/** Runs the explanation described by `options` and writes its JSON; returns what was written. */
export async function runExplain(options: ExplainCommandOptions): Promise<Record<string, unknown>> {
  await useNodeBackend(options.backend);
  const model = await loadModel(options);
  let input: tf.Tensor | undefined;
  let reference: tf.Tensor | undefined;
  try {
    const prepared = await prepareInput(options, model);
    const refValues = await buildReference(options, prepared);
    const batch = prepared.shape[0];
    input = tf.tensor(prepared.values, prepared.shape, 'float32');
    if (refValues) {
      reference = refValues.length === prepared.values.length
        ? tf.tensor(refValues, prepared.shape, 'float32')
        : tf.tile(tf.tensor(refValues, [1, ...prepared.shape.slice(1)], 'float32'), [batch, ...prepared.shape.slice(1).map(() => 1)]);
    }
    if (options.saveInput) {
      await writeFile(options.saveInput, JSON.stringify({
        input: Array.from(prepared.values), shape: prepared.shape, ...(refValues ? { reference: Array.from(refValues) } : {}),
      }));
    }
    const labels = await readLabels(options);
    const results = await METHODS[options.method](model, input, reference, options.request);
    const probabilities = results.some((r) => r.top) ? await modelOutputs(model, input) : null;
    results.forEach((r, i) => {
      if (r.top && probabilities) for (const t of r.top) t.probability = probabilities[i][t.class];
      if (labels) {
        const name = (c: unknown) => (typeof c === 'number' ? labels[c] ?? `class ${c}` : null);
        r.label = name(r.target);
        if (r.contrast !== null && r.contrast !== undefined) r.contrastLabel = name(r.contrast);
        if (r.top) for (const t of r.top) t.label = name(t.class) as string;
      }
    });
    if (options.heatmap) {
      if (!prepared.photos255) throw new UsageError('--heatmap needs an image input [N, H, W, 1 or 3]');
      for (let i = 0; i < batch; i++) {
        const rgba = heatmapOverPhoto(results[i].attributions, prepared.photos255[i], prepared.height, prepared.width, prepared.channels);
        await writeFile(heatmapPath(options.heatmap, i, batch), encodePng(prepared.width, prepared.height, rgba));
      }
    }
    const output: Record<string, unknown> = batch === 1
      ? { method: options.method, backend: tf.getBackend(), ...results[0] }
      : { method: options.method, backend: tf.getBackend(), results };
    await writeFile(options.out, JSON.stringify(output));
    return output;
  } finally {
    input?.dispose();
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
  let out: Record<string, unknown>;
  try {
    out = await runExplain(options);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const first = (Array.isArray(out.results) ? out.results[0] : out) as ExplainOutput;
  const count = Array.isArray(out.results) ? ` (${out.results.length} images; first shown)` : '';
  console.error(`wrote ${options.out}: ${options.method} on ${String(out.backend)}${count}, target ${String(first.target)}` +
    `${first.label ? ` (${String(first.label)})` : ''}, ` +
    `Δt = ${first.delta === null ? 'n/a' : first.delta.toPrecision(6)}, Σ = ${first.sum.toPrecision(6)}`);
  return 0;
}
