/**
 * A Keras model.json → the form that tfjs 4.22 reads and computes correctly.
 *
 * Global pooling with `keepdims: true` (Keras ≥ 2.6 MobileNet's classifier
 * head, MobileNetV3): tfjs has no such option and silently drops the 1×1
 * spatial dimensions, so the 1×1 convolution after it fails. The layer is
 * written as pooling followed by a weight-free Reshape to 1×1×C, which every
 * later layer reads instead.
 *
 * `tensorflowjs_converter` run under TensorFlow ≥ 2.16 (Keras 3, unless
 * TF_USE_LEGACY_KERAS=1) writes a topology that tfjs cannot load
 * (tensorflow/tfjs#8328, #8494: "An InputLayer should be passed either a
 * `batchInputShape` or an `inputShape`"). The differences, all rewritten here:
 * - InputLayer's `batch_shape` is Keras 2's `batch_input_shape`;
 * - an inbound node is `{args: [...], kwargs: {...}}` whose arguments hold
 *   `__keras_tensor__` objects with a `keras_history` of [layer, node, tensor]
 *   (a merge layer's first argument is a list of them), where Keras 2 wrote
 *   `[[layer, node, tensor, kwargs], ...]`;
 * - `dtype` is a DTypePolicy object, not a string;
 * - a single input or output may be written flat, [layer, node, tensor];
 * - DepthwiseConv2D's weight is `<layer>/kernel`, tfjs expects `<layer>/depthwise_kernel`.
 * Any other Keras 2 topology passes through unchanged. Plain JSON in and out; no tfjs.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface WeightEntry {
  name: string;
}

export interface TopologyAndWeights<W extends WeightEntry> {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: W[] }[];
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The [layer, node, tensor] references of the Keras tensors anywhere in `value`. */
function kerasTensors(value: Json | undefined, out: Json[][] = []): Json[][] {
  if (Array.isArray(value)) for (const v of value) kerasTensors(v, out);
  else if (isObject(value)) {
    const history = isObject(value.config) ? value.config.keras_history : undefined;
    if (value.class_name === '__keras_tensor__' && Array.isArray(history) && history.length >= 3) out.push([history[0]!, history[1]!, history[2]!, {}]);
  }
  return out;
}

/** A Keras 3 inbound node as Keras 2's list of [layer, node, tensor, kwargs]. */
function inboundNode(node: Json): Json {
  if (!isObject(node) || !('args' in node)) return node;
  return kerasTensors(node.args);
}

/** [name, 0, 0] → [[name, 0, 0]]: tfjs reads lists of layer references. */
function nestedRefs(refs: Json | undefined): Json | undefined {
  return Array.isArray(refs) && typeof refs[0] === 'string' ? [refs] : refs;
}

/** A DTypePolicy object → its float32 name (tfjs holds weights in float32 whatever the policy computed in). */
function dtypeName(dtype: Json | undefined): Json | undefined {
  if (!isObject(dtype)) return dtype;
  const name = isObject(dtype.config) ? dtype.config.name : undefined;
  return typeof name === 'string' && ['float32', 'int32', 'bool'].includes(name) ? name : 'float32';
}

function layerConfig(layer: JsonObject, depthwise: string[]): JsonObject {
  const config = isObject(layer.config) ? { ...layer.config } : layer.config;
  if (isObject(config)) {
    if ('dtype' in config) config.dtype = dtypeName(config.dtype)!;
    if (layer.class_name === 'InputLayer' && 'batch_shape' in config && !('batch_input_shape' in config)) {
      config.batch_input_shape = config.batch_shape!;
      delete config.batch_shape;
    }
    if (layer.class_name === 'DepthwiseConv2D' && typeof config.name === 'string') depthwise.push(config.name);
    if (Array.isArray(config.layers)) Object.assign(config, modelConfig(config, depthwise));
  }
  const out: JsonObject = { ...layer, config: config ?? null };
  if (Array.isArray(layer.inbound_nodes)) out.inbound_nodes = layer.inbound_nodes.map(inboundNode);
  return out;
}

const GLOBAL_POOLING = ['GlobalAveragePooling2D', 'GlobalMaxPooling2D'];

/** Layer references [name, node, tensor, …] anywhere in `refs` renamed by `rename` (name → new name). */
function renameRefs(refs: Json, rename: Map<string, string>): Json {
  if (!Array.isArray(refs)) return refs;
  if (typeof refs[0] === 'string' && rename.has(refs[0])) return [rename.get(refs[0])!, ...refs.slice(1)];
  return refs.map((r) => renameRefs(r, rename));
}

/** Each global pooling with keepdims becomes pooling + Reshape(1×1×C); later layers and outputs read the Reshape. */
function splitKeepdims(config: JsonObject): JsonObject {
  const layers = config.layers as Json[];
  const rename = new Map<string, string>();
  const out: Json[] = [];
  const isFunctional = layers.some((l) => isObject(l) && Array.isArray(l.inbound_nodes));
  for (const layer of layers) {
    if (!isObject(layer) || !GLOBAL_POOLING.includes(layer.class_name as string) || !isObject(layer.config) || layer.config.keepdims !== true) {
      out.push(isObject(layer) && Array.isArray(layer.inbound_nodes) ? { ...layer, inbound_nodes: layer.inbound_nodes.map((n) => renameRefs(n, rename)) } : layer);
      continue;
    }
    const name = String(layer.config.name ?? layer.name);
    const reshapeName = `${name}_keepdims`;
    const { keepdims: _dropped, ...pooling } = layer.config;
    const target = layer.config.data_format === 'channels_first' ? [-1, 1, 1] : [1, 1, -1];
    const inbound = Array.isArray(layer.inbound_nodes) ? layer.inbound_nodes.map((n) => renameRefs(n, rename)) : undefined;
    out.push({ ...layer, config: pooling, ...(inbound ? { inbound_nodes: inbound } : {}) });
    const reshape: JsonObject = { class_name: 'Reshape', name: reshapeName, config: { name: reshapeName, trainable: false, dtype: 'float32', target_shape: target } };
    if (isFunctional) reshape.inbound_nodes = (inbound ?? [[]]).map((_, i) => [[name, i, 0, {}]]);
    out.push(reshape);
    rename.set(name, reshapeName);
  }
  if (rename.size === 0) return config;
  const result: JsonObject = { ...config, layers: out };
  if ('output_layers' in config) result.output_layers = renameRefs(config.output_layers!, rename);
  return result;
}

function modelConfig(config: JsonObject, depthwise: string[]): JsonObject {
  const out: JsonObject = { ...config };
  out.layers = (config.layers as Json[]).map((l) => (isObject(l) ? layerConfig(l, depthwise) : l));
  if ('input_layers' in config) out.input_layers = nestedRefs(config.input_layers)!;
  if ('output_layers' in config) out.output_layers = nestedRefs(config.output_layers)!;
  return splitKeepdims(out);
}

/**
 * The model.json with its topology rewritten for tfjs (Keras 3, keepdims
 * pooling; a new object, the input is not changed). Weight entries are renamed where Keras 3 names
 * them differently; all other fields are kept.
 */
export function tfjsTopology<W extends WeightEntry, T extends TopologyAndWeights<W>>(json: T): T {
  const topology = json.modelTopology;
  if (!isObject(topology)) return json;
  const depthwise: string[] = [];
  const rewrite = (model: Json | undefined): Json | undefined =>
    isObject(model) && isObject(model.config) && Array.isArray(model.config.layers)
      ? { ...model, config: modelConfig(model.config, depthwise) }
      : model;
  // Converted files hold the model under `model_config`; a bare model config is accepted too.
  const modelTopology = 'model_config' in topology ? { ...topology, model_config: rewrite(topology.model_config) ?? null } : rewrite(topology);
  const names = new Set((json.weightsManifest ?? []).flatMap((g) => g.weights.map((w) => w.name)));
  const renamed = (name: string): string => {
    for (const layer of depthwise) {
      const suffix = `${layer}/kernel`;
      if ((name === suffix || name.endsWith(`/${suffix}`)) && !names.has(`${name.slice(0, -'kernel'.length)}depthwise_kernel`)) {
        return `${name.slice(0, -'kernel'.length)}depthwise_kernel`;
      }
    }
    return name;
  };
  const weightsManifest = json.weightsManifest?.map((g) => ({ ...g, weights: g.weights.map((w) => ({ ...w, name: renamed(w.name) })) }));
  return { ...json, modelTopology, ...(weightsManifest ? { weightsManifest } : {}) };
}
