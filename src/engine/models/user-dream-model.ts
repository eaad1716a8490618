/**
 * A user's image classifier (a tfjs LayersModel from the model catalogue) made
 * into a DreamModel, so Deep Dream, feature visualisation, "what this photo
 * excites" and the filter heatmap run on it as on the built-in InceptionV3
 * trunk.
 *
 * The model is rebuilt from its topology (JSON, flattened by flat-graph.ts:
 * nested models inlined), with its weights copied, as a trunk whose outputs
 * are the dreamable layers:
 * - Dreamable layers are the convolutions (Conv2D, DepthwiseConv2D,
 *   SeparableConv2D, Conv2DTranspose) and block outputs (Add, Concatenate,
 *   Multiply …) with a rank-4 output. A conv followed by its batch norm and
 *   activation (conv → BN → ReLU6, the MobileNet pattern) is dreamt on the
 *   activated output, the end of that chain: that is what the next layer sees,
 *   and maximising a pre-BN, pre-ReLU value would also push units the ReLU
 *   silences. The list names the chain ("expand_conv → expand_relu").
 * - Every BatchNormalization right after a conv (linear activation, no other
 *   consumer) is folded into it (bn-fold.ts); any other BN with `scale: false`
 *   gets an explicit γ = 1. tfjs 4.22 cannot differentiate `scale: false`.
 * - The input becomes free-sized ([null, null, 3]) even for a fixed 224×224
 *   model, so a photo dreams at its own size and the octaves shrink it: only
 *   the layers up to the dreamable ones are kept, and a layer whose result
 *   depends on the input size (Flatten, a Reshape of a rank-4 tensor, a PReLU
 *   with per-position slopes) and everything after it is not offered. The
 *   smallest valid side comes from shape inference (smallest-side.ts).
 * - Its convolutions compute with plain ops whose input gradients exist on
 *   every backend, WASM included (input-gradients.ts).
 * - The input is always RGB in [0, 1] (the trunk's own mapping, so step sizes
 *   mean the same on every model). A 1×1 conv in front maps it to the model's
 *   units: its pixel scaling (unit, signed, raw, or ImageNet's mean and std
 *   per channel) and, for a single-channel model, the mean of R, G and B (so a
 *   grey model dreams on the photo's luminance and the detail it adds is grey).
 */
import * as tf from '@tensorflow/tfjs';
import { createDreamModel, ModelLoadError, type DreamModel } from './dream-model';
import { batchNormParams, explicitScaleWeights, FOLDABLE_CONVS, foldedConvWeights } from './bn-fold';
import { flatGraph, type GraphJson, type LayerJson, type LayerOf, type NodeRef } from './flat-graph';
import { useInputOnlyGradients } from './input-gradients';
import { smallestSide } from './smallest-side';
import { IMAGENET_MEAN, IMAGENET_STD, type PixelScaling } from './model-spec';

/** One layer a dream can target, as the layer picker shows it (plain data). */
export interface DreamLayer {
  /** The layer whose output is dreamt (the end of a conv → BN → activation chain). */
  name: string;
  /** What the picker shows: the conv or block, and the chain's end when it differs. */
  label: string;
  channels: number;
  kind: 'conv' | 'block';
}

/** A user model as a DreamModel, with its layer list. */
export interface UserDreamModel extends DreamModel {
  readonly layers: readonly DreamLayer[];
}

/** The mapping of every user DreamModel: photo pixels 0..255 → RGB in [0, 1] (the model's own units come after the input conv). */
export const USER_DREAM_INPUT = { scale: 1 / 255, offset: 0, min: 0, max: 1 } as const;

/** Name of the 1×1 conv that maps [0, 1] RGB to the model's input units. */
export const INPUT_MAPPING_LAYER = 'dreamlift_input_mapping';

const CONVS = [...FOLDABLE_CONVS, 'Conv2DTranspose'];
const MERGES = ['Add', 'Concatenate', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Subtract'];
/** Layers that follow a conv or block and belong to it (a dream targets the chain's end). */
const FOLLOWERS = ['BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'PReLU'];

const inputsOf = (l: LayerJson): string[] => (l.inbound_nodes[0] ?? []).map((r) => r[0]);

/** True when the layer's result depends on the input's height and width (it cannot run free-sized). */
function isSizeBound(layer: tf.layers.Layer, json: LayerJson): boolean {
  const inRank = (layer.inputSpec?.[0]?.ndim ?? (Array.isArray(layer.input) ? layer.input[0]?.shape.length : layer.input.shape.length)) ?? 0;
  switch (json.class_name) {
    case 'Flatten':
    case 'LocallyConnected2D':
      return true;
    case 'Reshape':
      return inRank === 4;
    case 'PReLU': {
      const shared = (json.config.shared_axes as number[] | null | undefined) ?? [];
      return !(shared.includes(1) && shared.includes(2));
    }
    default:
      return false;
  }
}

/** The model's input units from [0, 1] RGB: y_c = Σ_k W[k, c]·x_k + b_c, or null when that is the identity (unit RGB). */
function inputMapping(scaling: PixelScaling, channels: number): { kernel: number[][]; bias: number[] } | null {
  if (channels === 3 && scaling === 'unit') return null;
  // Per channel c of the model: value = a_c·(its input in [0, 1]) + b_c.
  const affine = (c: number): [number, number] => {
    switch (scaling) {
      case 'signed':
        return [2, -1];
      case 'raw':
        return [255, 0];
      case 'imagenet': {
        const mean = channels === 3 ? IMAGENET_MEAN[c]! : (IMAGENET_MEAN[0] + IMAGENET_MEAN[1] + IMAGENET_MEAN[2]) / 3;
        const std = channels === 3 ? IMAGENET_STD[c]! : (IMAGENET_STD[0] + IMAGENET_STD[1] + IMAGENET_STD[2]) / 3;
        return [1 / std, -mean / std];
      }
      default:
        return [1, 0];
    }
  };
  const kernel = [0, 1, 2].map((k) => Array.from({ length: channels }, (_, c) => {
    const [a] = affine(c);
    // A grey model sees the mean of R, G and B; an RGB model each channel for itself.
    return channels === 1 ? a / 3 : k === c ? a : 0;
  }));
  return { kernel, bias: Array.from({ length: channels }, (_, c) => affine(c)[1]) };
}

/** The layers a dream may target in `model` (before folding), with channel counts; plain data. */
export function listDreamLayers(model: tf.LayersModel): DreamLayer[] {
  const { topology, layerOf } = flatGraph(model);
  return analyse(layerOf, topology).layers;
}

interface Analysis {
  layers: DreamLayer[];
  /** BN name → the conv it folds into. */
  folds: Map<string, string>;
}

function analyse(layerOf: LayerOf, topology: GraphJson): Analysis {
  const jsonLayers = topology.config.layers;
  const byName = new Map(jsonLayers.map((l) => [l.name, l]));
  const consumers = new Map<string, string[]>();
  for (const l of jsonLayers) {
    for (const node of l.inbound_nodes) for (const ref of node) consumers.set(ref[0], [...(consumers.get(ref[0]) ?? []), l.name]);
  }
  const rank4 = (name: string) => {
    const shape = layerOf(name).outputShape;
    return Array.isArray(shape) && !Array.isArray(shape[0]) && shape.length === 4;
  };
  // Layers whose result depends on the input size, and everything downstream of them.
  const bound = new Set<string>();
  for (const l of jsonLayers) {
    if (l.class_name === 'InputLayer') continue;
    if (isSizeBound(layerOf(l.name), l) || inputsOf(l).some((n) => bound.has(n))) bound.add(l.name);
  }
  const folds = new Map<string, string>();
  for (const l of jsonLayers) {
    if (l.class_name !== 'BatchNormalization' || l.inbound_nodes.length !== 1 || inputsOf(l).length !== 1) continue;
    const axis = l.config.axis;
    if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) continue;
    const conv = byName.get(inputsOf(l)[0]!);
    if (!conv || !(FOLDABLE_CONVS as readonly string[]).includes(conv.class_name) || conv.inbound_nodes.length !== 1) continue;
    if ((conv.config.activation ?? 'linear') !== 'linear' || (consumers.get(conv.name) ?? []).length !== 1) continue;
    folds.set(l.name, conv.name);
  }
  const layers: DreamLayer[] = [];
  const seen = new Set<string>();
  for (const l of jsonLayers) {
    const isConv = CONVS.includes(l.class_name);
    if (!(isConv || MERGES.includes(l.class_name)) || bound.has(l.name) || l.inbound_nodes.length !== 1 || !rank4(l.name)) continue;
    let end = l;
    for (;;) {
      const next = consumers.get(end.name) ?? [];
      const follower = next.length === 1 ? byName.get(next[0]!) : undefined;
      if (!follower || !FOLLOWERS.includes(follower.class_name) || bound.has(follower.name) || follower.inbound_nodes.length !== 1) break;
      end = follower;
    }
    // A chain ending in a folded BN is the conv itself once folded.
    const name = folds.get(end.name) ?? end.name;
    if (seen.has(name)) continue;
    seen.add(name);
    const channels = (layerOf(end.name).outputShape as number[])[3]!;
    layers.push({ name, label: name === l.name ? l.name : `${l.name} → ${name}`, channels, kind: isConv ? 'conv' : 'block' });
  }
  return { layers, folds };
}

/** The names of `targets` and every layer they depend on. */
function ancestors(byName: Map<string, LayerJson>, targets: readonly string[]): Set<string> {
  const keep = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (keep.has(name)) continue;
    keep.add(name);
    const l = byName.get(name);
    if (l) for (const node of l.inbound_nodes) for (const ref of node) stack.push(ref[0]);
  }
  return keep;
}

/**
 * Makes a DreamModel of a user's image model ([batch, H, W, 1 or 3], H and W
 * fixed or free) whose input pixels are scaled by `scaling`. Takes ownership
 * of `model` (disposed here, also on failure). Throws ModelLoadError when the
 * model is not an image model or has no layer a dream can target. The caller
 * owns the result (`dispose()`).
 */
export async function userDreamModel(model: tf.LayersModel, scaling: PixelScaling): Promise<UserDreamModel> {
  try {
    const inShape = model.inputs[0]?.shape ?? [];
    const channels = inShape[3];
    if (model.inputs.length !== 1 || inShape.length !== 4 || (channels !== 1 && channels !== 3)) {
      throw new ModelLoadError(`the model's input ${JSON.stringify(inShape)} is not one image [batch, height, width, 1 or 3]; Deep Dream needs an image model`);
    }
    const { topology, layerOf } = flatGraph(model);
    const { layers, folds } = analyse(layerOf, topology);
    if (layers.length === 0) {
      throw new ModelLoadError('the model has no convolutional layer (or block) that works at any image size, so there is nothing to dream with');
    }
    const trunk = await rebuild(layerOf, topology, layers.map((l) => l.name), folds, inputMapping(scaling, channels));
    // Gradients w.r.t. the image on every backend (WASM lacks two kernels tfjs' own conv gradients use).
    useInputOnlyGradients(trunk);
    let minSide: number;
    try {
      minSide = smallestSide(trunk);
    } catch (e) {
      trunk.dispose();
      throw e;
    }
    const dream = createDreamModel(trunk, USER_DREAM_INPUT, layers.map((l) => l.name), minSide);
    const channelsOf = new Map(trunk.outputs.map((o, i) => [layers[i]!.name, o.shape[3] as number]));
    return { ...dream, layers: layers.map((l) => ({ ...l, channels: channelsOf.get(l.name) ?? l.channels })) };
  } finally {
    model.dispose();
  }
}

/** The free-sized, folded trunk whose outputs are `targets` (weights copied from `model`). */
async function rebuild(
  layerOf: LayerOf, topology: GraphJson, targets: readonly string[], folds: Map<string, string>,
  mapping: { kernel: number[][]; bias: number[] } | null,
): Promise<tf.LayersModel> {
  const byName = new Map(topology.config.layers.map((l) => [l.name, l]));
  const inputName = topology.config.input_layers[0]![0];
  const rename = (name: string) => folds.get(name) ?? name;
  const keep = ancestors(byName, targets);
  const layers: LayerJson[] = [];
  const rescaled = new Set<string>();
  for (const l of topology.config.layers) {
    if (!keep.has(l.name) || folds.has(l.name)) continue;
    const copy: LayerJson = JSON.parse(JSON.stringify(l)) as LayerJson;
    copy.inbound_nodes = copy.inbound_nodes.map((node) => node.map((ref) => {
      const from = rename(ref[0]);
      return [from === inputName && mapping ? INPUT_MAPPING_LAYER : from, ref[1], ref[2], ref[3]] as NodeRef;
    }));
    if (copy.class_name === 'InputLayer') {
      copy.config.batch_input_shape = [null, null, null, 3];
    }
    if ([...folds.values()].includes(copy.name)) copy.config.use_bias = true;
    if (copy.class_name === 'BatchNormalization' && copy.config.scale === false) {
      copy.config.scale = true;
      rescaled.add(copy.name);
    }
    layers.push(copy);
    if (copy.class_name === 'InputLayer' && mapping) {
      layers.push({
        name: INPUT_MAPPING_LAYER,
        class_name: 'Conv2D',
        config: {
          name: INPUT_MAPPING_LAYER, filters: mapping.bias.length, kernel_size: [1, 1], strides: [1, 1], padding: 'valid',
          data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true, trainable: false,
        },
        inbound_nodes: [[[copy.name, 0, 0, {}]]],
      });
    }
  }
  const json: GraphJson = {
    ...topology,
    config: { ...topology.config, name: `${topology.config.name}_dream`, layers, output_layers: targets.map((t) => [t, 0, 0]) },
  };
  let trunk: tf.LayersModel;
  try {
    trunk = await tf.models.modelFromJSON({ modelTopology: json as unknown as tf.io.ModelJSON['modelTopology'] });
  } catch (e) {
    throw new ModelLoadError(`the model could not be rebuilt for Deep Dream: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const foldedInto = new Map([...folds].map(([bn, conv]) => [conv, bn]));
    for (const layer of trunk.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      let weights: tf.Tensor[];
      let owned = true;
      if (layer.name === INPUT_MAPPING_LAYER && mapping) {
        weights = [tf.tensor4d(mapping.kernel.flat(), [1, 1, 3, mapping.bias.length]), tf.tensor1d(mapping.bias)];
      } else if (foldedInto.has(layer.name)) {
        weights = await foldedConvWeights(layerOf(layer.name), await batchNormParams(layerOf(foldedInto.get(layer.name)!)));
      } else if (rescaled.has(layer.name)) {
        weights = explicitScaleWeights(layerOf(layer.name));
      } else {
        weights = layerOf(layer.name).getWeights();
        owned = false;
      }
      if (weights.length > 0) layer.setWeights(weights);
      if (owned) tf.dispose(weights);
    }
  } catch (e) {
    trunk.dispose();
    throw e;
  }
  return trunk;
}
