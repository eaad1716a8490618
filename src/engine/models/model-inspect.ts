/**
 * Checks a user's tfjs model before and after loading, and guesses how its
 * input should be fed. tensorflowjs_converter writes a Keras model as a
 * LayersModel: model.json (topology + weightsManifest) and binary shards
 * ("group1-shard1of2.bin" …); the manifest lists, per group, the shard paths
 * and the weights (name, shape, dtype, optional quantization) stored in them
 * back to back. Everything the user could get wrong is named in plain words:
 * a GraphModel instead of a LayersModel, a missing shard, a shard of the
 * wrong size, a model too large, an input that is not an image, labels that
 * do not match the outputs. Errors are BadModelError; the message is meant
 * for the user.
 */
import * as tf from '@tensorflow/tfjs';
import { tfjsTopology } from './keras-topology';
// The layer classes a rewritten topology relies on (a build-time Reshape, Keras' ReLU …).
import '../deeplift/keras-compat';
import {
  MAX_MODEL_BYTES,
  PIXEL_SCALINGS,
  formatBytes,
  type InputSpec,
  type ModelFacts,
  type PixelScaling,
} from './model-spec';

/** A model the app cannot use, with a message that says why and what to do. */
export class BadModelError extends Error {
  override name = 'BadModelError';
}

/** A file as the worker receives it. */
export interface NamedBuffer {
  name: string;
  data: ArrayBuffer;
}

export interface ModelFiles {
  json: tf.io.ModelJSON;
  /** The shards by base name. */
  shards: Map<string, ArrayBuffer>;
  /** Labels from a labels file, when one came with the model. */
  labels: string[] | null;
  labelsFile: string | null;
}

export const GRAPH_MODEL_MESSAGE =
  'This is a TensorFlow.js GraphModel (a frozen TensorFlow graph). DeepLIFT needs the layer structure, which only a LayersModel keeps. ' +
  'Convert your Keras model as a layers model: tensorflowjs_converter --input_format keras model.h5 out_folder/ ' +
  '(for a SavedModel written by Keras: --input_format keras_saved_model --output_format tfjs_layers_model).';

const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;

/** Labels from a labels file: a JSON array of strings, or one label per line (blank lines at the end ignored). */
export function parseLabels(text: string, fileName = 'labels'): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new BadModelError(`${fileName} starts like a JSON array but is not valid JSON.`);
    }
    if (!Array.isArray(parsed)) throw new BadModelError(`${fileName} must be a JSON array of labels.`);
    return parsed.map((l) => String(l));
  }
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.map((l) => l.trim());
}

const decoder = new TextDecoder();

function isModelJson(value: unknown): value is tf.io.ModelJSON {
  return typeof value === 'object' && value !== null && ('modelTopology' in value || 'weightsManifest' in value);
}

/** Sorts the user's files into model.json, shards and an optional labels file. */
export function sortModelFiles(files: readonly NamedBuffer[]): ModelFiles {
  let json: tf.io.ModelJSON | null = null;
  let labels: string[] | null = null;
  let labelsFile: string | null = null;
  const shards = new Map<string, ArrayBuffer>();
  for (const file of files) {
    const name = baseName(file.name);
    const lower = name.toLowerCase();
    if (lower.endsWith('.json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(file.data));
      } catch {
        if (lower === 'model.json') throw new BadModelError(`${name} is not valid JSON: the file is damaged or not a tfjs model.`);
        continue;
      }
      if (isModelJson(parsed)) {
        if (json) throw new BadModelError('Two model.json files were given; give one model at a time.');
        json = parsed;
      } else if (Array.isArray(parsed)) {
        labels = parsed.map((l) => String(l));
        labelsFile = name;
      }
    } else if (lower.endsWith('.txt')) {
      labels = parseLabels(decoder.decode(file.data), name);
      labelsFile = name;
    } else {
      shards.set(name, file.data);
    }
  }
  if (!json) throw new BadModelError('No model.json among the files: choose model.json together with its .bin weight files.');
  return { json, shards, labels, labelsFile };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes one manifest entry takes in its shard (quantized entries at their stored width). */
export function entryBytes(entry: tf.io.WeightsManifestEntry): number {
  const size = entry.shape.reduce((a, b) => a * b, 1);
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  const bytes = DTYPE_BYTES[dtype];
  if (bytes === undefined) throw new BadModelError(`The weight "${entry.name}" has a type this app cannot read (${dtype}).`);
  return size * bytes;
}

function isGraphModel(json: tf.io.ModelJSON): boolean {
  const topology = json.modelTopology as Record<string, unknown> | undefined;
  return json.format === 'graph-model' || (!!topology && ('node' in topology || 'versions' in topology) && !('class_name' in topology));
}

/**
 * Refuses what cannot be a usable LayersModel from model.json alone: a
 * GraphModel, no topology, declared weights over MAX_MODEL_BYTES. Returns the
 * declared weight bytes.
 */
export function checkModelJson(json: tf.io.ModelJSON, maxBytes = MAX_MODEL_BYTES): number {
  if (isGraphModel(json)) throw new BadModelError(GRAPH_MODEL_MESSAGE);
  if (!json.modelTopology) throw new BadModelError('model.json has no modelTopology: it does not describe a model.');
  const total = (json.weightsManifest ?? []).reduce((sum, group) => sum + group.weights.reduce((s, w) => s + entryBytes(w), 0), 0);
  if (total > maxBytes) {
    throw new BadModelError(
      `The model is too large for this device: its weights take ${formatBytes(total)}, and this app loads models up to ${formatBytes(maxBytes)} ` +
        '(DeepLIFT keeps every layer’s activations for the input and the reference, and a browser tab’s GPU memory is limited).',
    );
  }
  return total;
}

/**
 * Verifies that every shard named in the manifest is present and that each
 * group's shards hold exactly the bytes its weights need, then returns the
 * model artifacts tfjs loads (weights concatenated in manifest order; a
 * Keras 3 topology rewritten for tfjs).
 */
export async function modelArtifacts(files: ModelFiles): Promise<tf.io.ModelArtifacts> {
  const manifest = files.json.weightsManifest ?? [];
  const missing = manifest.flatMap((g) => g.paths.map(baseName)).filter((p) => !files.shards.has(p));
  if (missing.length > 0) {
    throw new BadModelError(
      `The weight file${missing.length > 1 ? 's' : ''} ${missing.join(', ')} named in model.json ${missing.length > 1 ? 'are' : 'is'} missing: choose model.json together with all its .bin files.`,
    );
  }
  for (const group of manifest) {
    const expected = group.weights.reduce((s, w) => s + entryBytes(w), 0);
    const names = group.paths.map(baseName);
    const actual = names.reduce((s, p) => s + files.shards.get(p)!.byteLength, 0);
    if (actual !== expected) {
      throw new BadModelError(
        `The weight file${names.length > 1 ? 's' : ''} ${names.join(', ')} hold${names.length > 1 ? '' : 's'} ${actual} bytes, but model.json describes ${expected} bytes of weights there: ` +
          'the file is truncated or belongs to another model.',
      );
    }
  }
  // A Keras 3 topology is rewritten into the form tfjs reads (keras-topology.ts).
  return tf.io.getModelArtifactsForJSON(tfjsTopology(files.json), async (groups) => {
    const specs = groups.flatMap((g) => g.weights);
    const buffers = groups.flatMap((g) => g.paths.map((p) => files.shards.get(baseName(p))!));
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
}

/** Labels from the model's userDefinedMetadata (`labels`, `classNames` or `class_names`), or null. */
export function metadataLabels(metadata: unknown): string[] | null {
  if (typeof metadata !== 'object' || metadata === null) return null;
  const m = metadata as Record<string, unknown>;
  const found = m.labels ?? m.classNames ?? m.class_names;
  return Array.isArray(found) ? found.map((l) => String(l)) : null;
}

/** Refuses labels whose count is not the number of outputs. */
export function checkLabels(labels: readonly string[] | null, numClasses: number, source: string): void {
  if (labels && labels.length !== numClasses) {
    throw new BadModelError(`${source} has ${labels.length} labels, but the model has ${numClasses} outputs: give one label per output class.`);
  }
}

/** Keras' applications that expect −1..1 inputs, by the model's name. */
const SIGNED_NAMES = /mobilenet|inception|xception|nasnet/i;

/** The scaling a model probably expects: metadata `scaling`, a leading Rescaling layer (0..255), the name, else 0..1. */
function guessScaling(model: tf.LayersModel, metadata: unknown): PixelScaling {
  const stated = (metadata as Record<string, unknown> | undefined)?.scaling;
  if (typeof stated === 'string' && (PIXEL_SCALINGS as readonly string[]).includes(stated)) return stated as PixelScaling;
  const first = model.layers.find((l) => l.getClassName() !== 'InputLayer');
  if (first && (first.getClassName() === 'Rescaling' || first.getClassName() === 'Normalization')) return 'raw';
  return SIGNED_NAMES.test(model.name) ? 'signed' : 'unit';
}

/**
 * What the app needs to know about a loaded model: it must take one image
 * tensor [batch, H, W, 1 or 3] (sides fixed or null) and give one vector of
 * class scores [batch, K]. Throws BadModelError otherwise. `weightBytes` is
 * passed through from checkModelJson.
 */
export function inspectModel(model: tf.LayersModel, weightBytes = 0): ModelFacts {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new BadModelError(
      `The model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; an image classifier here takes one image and gives one vector of class scores.`,
    );
  }
  const inShape = model.inputs[0]!.shape;
  const channels = inShape[3];
  if (inShape.length !== 4 || (channels !== 1 && channels !== 3)) {
    throw new BadModelError(
      `The model's input is not an image tensor: its shape is ${JSON.stringify(inShape)}, and an image model takes [batch, height, width, 1 or 3] (grayscale or RGB, channels last).`,
    );
  }
  const outShape = model.outputs[0]!.shape;
  const numClasses = outShape[1];
  if (outShape.length !== 2 || typeof numClasses !== 'number' || numClasses < 1) {
    throw new BadModelError(`The model's output has shape ${JSON.stringify(outShape)}; a classifier gives [batch, classes].`);
  }
  const metadata = model.getUserDefinedMetadata();
  const labels = metadataLabels(metadata);
  checkLabels(labels, numClasses, 'The model’s metadata');
  const height = inShape[1];
  const width = inShape[2];
  const isDynamic = typeof height !== 'number' || typeof width !== 'number';
  const fallbackSide = channels === 1 ? 28 : 224;
  const input: InputSpec = {
    height: typeof height === 'number' ? height : fallbackSide,
    width: typeof width === 'number' ? width : fallbackSide,
    channels,
    scaling: guessScaling(model, metadata),
    resize: 'crop',
    isDynamic,
  };
  return { input, numClasses, labels, weightBytes, layerCount: model.layers.length };
}
