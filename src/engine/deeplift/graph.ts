/**
 * Converts a tfjs LayersModel (Sequential or functional) into the list of
 * DeepLIFT nodes that deeplift.ts runs, mirroring the reference code's Keras
 * conversion (kundajelab/deeplift, deeplift/conversion/kerasapi_conversion.py):
 * - Dense/Conv2D with a fused `activation` become a linear "preact" node plus
 *   an activation node (`dense_conversion`, `conv2d_conversion`); a 'linear'
 *   activation adds nothing (`linear_conversion`).
 * - Dropout (and other inference-time identities) become identity nodes
 *   (`noop_conversion`); Flatten/Reshape reshape; InputLayer is the input.
 * - The model's final activation (fused in the last layer or a separate
 *   Activation/Softmax/ReLU/... layer) is dropped: the target is the layer
 *   before it, the pre-softmax (or pre-sigmoid) logits, like the
 *   reference's `target_layer_idx=-2` (the converted model ends
 *   [..., preact Dense, activation], and `_set_scoring_mode_for_target_layer`
 *   refuses an activation as the target), and the paper's §3.6. A softmax
 *   anywhere else is unsupported. A model whose last layer is linear is
 *   explained at that layer.
 * - Every (layer, inbound node) pair is one node, so shared layers work.
 * - A nested model (a Sequential or functional model used as a layer, as
 *   transfer learning builds them) is walked through: its graph is inlined.
 * Anything without a rule throws UnsupportedLayerError naming the layer and
 * its class. Only models with one input and one output are handled.
 *
 * The converted plan holds W⁺/W⁻ splits and batch-norm constants as kept
 * tensors; it is cached per model (see `getPlan`) until `disposePlan`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type ElementwiseActivation, activationByName, eluActivation, kerasRelu, leakyReluActivation, preluActivation,
  thresholdedReluActivation,
} from './activations';
import './keras-compat';
import { ActivationNode } from './activation-node';
import { BatchNormNode } from './batch-norm';
import { WeightedLinearNode, conv2dOp, denseOp, depthwiseConv2dOp, dilateKernel, type Padding } from './linear';
import { MaxPoolNode } from './max-pool';
import {
  type DeepLiftContext, type DeepLiftNode, type Multipliers, type PosNeg, splitBySign,
} from './node';
import {
  AddNode, AvgPoolNode, ConcatNode, CropNode, GlobalAvgPoolNode, IdentityNode, PadNode, PermuteNode, ReshapeNode,
  ScaleNode, SubtractNode, UpSamplingNode,
} from './pass-through';
import { UnsupportedLayerError } from './unsupported-layer-error';

/** The model's input: Δ⁺/Δ⁻ split by sign (`Input._build_pos_and_neg_contribs`). */
export class InputNode implements DeepLiftNode {
  readonly inputs: readonly number[] = [];
  readonly posNegFromDelta = true;
  constructor(readonly name: string, readonly className: string, readonly shape: readonly number[]) {}
  forward(inputs: tf.Tensor[]): tf.Tensor {
    return inputs[0];
  }
  posNeg(ctx: DeepLiftContext, self: number): PosNeg {
    return splitBySign(ctx.delta(self));
  }
  /** The contributions m·Δx (or m⁺·Δx⁺ + m⁻·Δx⁻ under RevealCancel) read these. */
  prepareBackward(ctx: DeepLiftContext, self: number): void {
    ctx.delta(self);
    if (ctx.rule === 'revealcancel') ctx.posNeg(self);
  }
  backward(): Multipliers[] {
    return [];
  }
  dispose(): void {}
}

export interface Plan {
  /** Topologically ordered; every node's inputs have smaller indices. */
  readonly nodes: DeepLiftNode[];
  readonly inputIndex: number;
  /** The explained layer: the pre-softmax logits. */
  readonly targetIndex: number;
  /** Input shape without batch, e.g. [28, 28, 1]. */
  readonly inputShape: number[];
  /** Whether a final softmax was dropped (probabilities = softmax(logits)). */
  readonly droppedSoftmax: boolean;
  /** A final elementwise activation (e.g. sigmoid) that was dropped (model output = f(logits)); null if none. */
  readonly droppedActivation: ElementwiseActivation | null;
}

type AnyLayer = tf.layers.Layer & Record<string, unknown>;
/** Where a walk is: inside nested models, keys get a prefix and InputLayers map to the outer nodes feeding them. */
interface Scope { prefix: string; inputs: Map<string, number> | null }
const ROOT_SCOPE: Scope = { prefix: '', inputs: null };
interface SymbolicLike { sourceLayer: AnyLayer; nodeIndex: number; shape: (number | null)[] }
interface NodeLike { inputTensors: SymbolicLike[] }

const IDENTITY_CLASSES = new Set([
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
]);

function pair(v: unknown, name: string, cls: string): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || a.some((n) => typeof n !== 'number')) {
    throw new UnsupportedLayerError(name, cls, `unexpected size/stride ${JSON.stringify(v)}`);
  }
  return [a[0] as number, a[1] as number];
}

function weight(layer: AnyLayer, field: string): tf.Tensor | null {
  const v = layer[field] as { read(): tf.Tensor } | null | undefined;
  return v ? v.read() : null;
}

/** Converts `model`; the caller owns the result (call `disposePlan`). */
export function buildPlan(model: tf.LayersModel): Plan {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UnsupportedLayerError(model.name, model.getClassName(),
      `models with ${model.inputs.length} inputs and ${model.outputs.length} outputs are not supported (need 1 and 1)`);
  }
  checkFixedInput(model);
  const nodes: DeepLiftNode[] = [];
  const memo = new Map<string, number>();
  let inputIndex = -1;
  let droppedSoftmax = false;
  let droppedActivation: ElementwiseActivation | null = null;

  const push = (n: DeepLiftNode): number => nodes.push(n) - 1;

  const activationNode = (
    act: ElementwiseActivation | null | 'softmax' | undefined, actName: string,
    layer: AnyLayer, cls: string, input: number, shape: number[], isOutput: boolean,
  ): number => {
    if (act === undefined) throw new UnsupportedLayerError(layer.name, cls, `activation '${actName}' has no DeepLIFT rule`);
    if (act === null) return input;
    if (act === 'softmax') {
      if (!isOutput) throw new UnsupportedLayerError(layer.name, cls, 'softmax is only supported as the final activation');
      droppedSoftmax = true;
      return input;
    }
    if (isOutput) {
      droppedActivation = act;
      return input;
    }
    return push(new ActivationNode(layer.name, cls, [input], shape, act));
  };

  const visit = (t: SymbolicLike, isOutput: boolean, scope: Scope = ROOT_SCOPE): number => {
    const layer = t.sourceLayer;
    const key = `${scope.prefix}${layer.name}#${t.nodeIndex}`;
    const seen = memo.get(key);
    if (seen !== undefined) return seen;
    const cls = layer.getClassName();
    const shape = t.shape.slice(1) as number[];
    if (cls === 'InputLayer') {
      if (scope.inputs) {
        const mapped = scope.inputs.get(layer.name);
        if (mapped === undefined) throw new UnsupportedLayerError(layer.name, cls, 'an input of a nested model that is not fed');
        return mapped;
      }
      inputIndex = push(new InputNode(layer.name, cls, shape));
      memo.set(key, inputIndex);
      return inputIndex;
    }
    const inbound = (layer.inboundNodes[t.nodeIndex] as unknown as NodeLike).inputTensors;
    const inputs = inbound.map((s) => visit(s, false, scope));
    if (layer instanceof tf.LayersModel) {
      // A nested model (transfer learning: Sequential([base, pooling, head])): its own graph, its input fed by ours.
      if (layer.inputs.length !== 1 || layer.outputs.length !== 1) {
        throw new UnsupportedLayerError(layer.name, cls, 'nested models need exactly one input and one output');
      }
      const innerInput = layer.inputs[0] as unknown as SymbolicLike;
      const out = visit(layer.outputs[0] as unknown as SymbolicLike, isOutput,
        { prefix: `${key}/`, inputs: new Map([[innerInput.sourceLayer.name, inputs[0]]]) });
      memo.set(key, out);
      return out;
    }
    const cfg = layer.getConfig() as Record<string, unknown>;
    const inShape = inbound[0].shape.slice(1) as number[];
    let out: number;
    switch (cls) {
      case 'Dense': {
        if (inShape.length !== 1) throw new UnsupportedLayerError(layer.name, cls, `input of rank ${inShape.length + 1} (need 2: flatten first)`);
        const kernel = weight(layer, 'kernel') as tf.Tensor2D;
        const bias = weight(layer, 'bias') as tf.Tensor1D | null;
        const lin = push(new WeightedLinearNode(layer.name, cls, inputs, shape, kernel, denseOp(kernel, bias)));
        out = activationNode(activationByName(String(cfg.activation)), String(cfg.activation), layer, cls, lin, shape, isOutput);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'SeparableConv2D': {
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(layer.name, cls, `dataFormat ${String(cfg.dataFormat)}`);
        const dil = pair(cfg.dilationRate ?? 1, layer.name, cls);
        if (cfg.padding !== 'valid' && cfg.padding !== 'same') throw new UnsupportedLayerError(layer.name, cls, `padding ${String(cfg.padding)}`);
        if (Number(cfg.groups ?? 1) !== 1) throw new UnsupportedLayerError(layer.name, cls, 'grouped convolution');
        const strides = pair(cfg.strides, layer.name, cls);
        const padding = cfg.padding as Padding;
        const bias = weight(layer, 'bias') as tf.Tensor1D | null;
        const dilated = dil[0] !== 1 || dil[1] !== 1;
        // A dilated kernel becomes the equivalent undilated one (zeros between taps), owned by its node.
        const spatial = (k: tf.Tensor4D) => (dilated ? dilateKernel(k, dil) : k);
        let lin: number;
        if (cls === 'Conv2D') {
          const kernel = spatial(weight(layer, 'kernel') as tf.Tensor4D);
          lin = push(new WeightedLinearNode(layer.name, cls, inputs, shape, kernel,
            conv2dOp(kernel, bias, inShape, strides, padding), dilated));
        } else if (cls === 'DepthwiseConv2D') {
          const kernel = spatial(weight(layer, 'depthwiseKernel') as tf.Tensor4D);
          lin = push(new WeightedLinearNode(layer.name, cls, inputs, shape, kernel,
            depthwiseConv2dOp(kernel, bias, inShape, strides, padding), dilated));
        } else {
          // SeparableConv2D = depthwise (no bias) then a 1×1 pointwise conv with the bias: two linear nodes.
          const depthwise = spatial(weight(layer, 'depthwiseKernel') as tf.Tensor4D);
          const pointwise = weight(layer, 'pointwiseKernel') as tf.Tensor4D;
          const midShape = [shape[0], shape[1], depthwise.shape[2] * depthwise.shape[3]];
          const mid = push(new WeightedLinearNode(layer.name, cls, inputs, midShape, depthwise,
            depthwiseConv2dOp(depthwise, null, inShape, strides, padding), dilated));
          lin = push(new WeightedLinearNode(layer.name, cls, [mid], shape, pointwise,
            conv2dOp(pointwise, bias, midShape, [1, 1], 'valid')));
        }
        out = activationNode(activationByName(String(cfg.activation)), String(cfg.activation), layer, cls, lin, shape, isOutput);
        break;
      }
      case 'BatchNormalization': {
        const axis = cfg.axis as number;
        if (axis !== -1 && axis !== shape.length) throw new UnsupportedLayerError(layer.name, cls, `axis ${axis} (only the last axis)`);
        const channels = shape[shape.length - 1];
        const clone = (f: string, fill: number) => {
          const w = weight(layer, f);
          return (w ? tf.clone(w) : tf.fill([channels], fill)) as tf.Tensor1D;
        };
        out = push(new BatchNormNode(layer.name, cls, inputs, shape, {
          gamma: clone('gamma', 1), beta: clone('beta', 0),
          mean: clone('movingMean', 0), variance: clone('movingVariance', 1),
          epsilon: cfg.epsilon as number,
        }));
        break;
      }
      case 'Activation':
        out = activationNode(activationByName(String(cfg.activation)), String(cfg.activation), layer, cls, inputs[0], shape, isOutput);
        break;
      case 'Softmax':
        out = activationNode('softmax', 'softmax', layer, cls, inputs[0], shape, isOutput);
        break;
      case 'ReLU':
        out = activationNode(kerasRelu(cfg.maxValue as number | null, Number(cfg.negativeSlope ?? 0), Number(cfg.threshold ?? 0)),
          'relu', layer, cls, inputs[0], shape, isOutput);
        break;
      case 'PReLU':
        out = activationNode(preluActivation(weight(layer, 'alpha') as tf.Tensor), 'prelu', layer, cls, inputs[0], shape, isOutput);
        break;
      case 'ThresholdedReLU':
        out = activationNode(thresholdedReluActivation(Number(cfg.theta ?? 1)), 'thresholdedReLU', layer, cls, inputs[0], shape, isOutput);
        break;
      case 'LeakyReLU':
        out = activationNode(leakyReluActivation(cfg.alpha as number), 'leakyReLU', layer, cls, inputs[0], shape, isOutput);
        break;
      case 'ELU':
        out = activationNode(eluActivation(cfg.alpha as number), 'elu', layer, cls, inputs[0], shape, isOutput);
        break;
      case 'Flatten':
      case 'Reshape':
        out = push(new ReshapeNode(layer.name, cls, inputs, shape, inShape));
        break;
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(layer.name, cls, `dataFormat ${String(cfg.dataFormat)}`);
        const poolSize = pair(cfg.poolSize, layer.name, cls);
        const strides = pair(cfg.strides ?? cfg.poolSize, layer.name, cls);
        const padding = cfg.padding as 'valid' | 'same';
        out = push(cls === 'MaxPooling2D'
          ? new MaxPoolNode(layer.name, cls, inputs, shape, inShape, poolSize, strides, padding)
          : new AvgPoolNode(layer.name, cls, inputs, shape, inShape, poolSize, strides, padding));
        break;
      }
      case 'Add':
        out = push(new AddNode(layer.name, cls, inputs, shape));
        break;
      case 'Average':
        out = push(new ScaleNode(layer.name, cls, [push(new AddNode(layer.name, cls, inputs, shape))], shape, 1 / inputs.length, 0));
        break;
      case 'Subtract':
        if (inputs.length !== 2) throw new UnsupportedLayerError(layer.name, cls, `${inputs.length} inputs (need 2)`);
        out = push(new SubtractNode(layer.name, cls, inputs, shape));
        break;
      case 'Rescaling': {
        const scale = Number(cfg.scale);
        const offset = Number(cfg.offset ?? 0);
        if (!Number.isFinite(scale) || !Number.isFinite(offset)) throw new UnsupportedLayerError(layer.name, cls, 'non-scalar scale or offset');
        out = push(new ScaleNode(layer.name, cls, inputs, shape, scale, offset));
        break;
      }
      case 'ZeroPadding2D':
      case 'Cropping2D': {
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(layer.name, cls, `dataFormat ${String(cfg.dataFormat)}`);
        const amounts = (cls === 'ZeroPadding2D' ? cfg.padding : cfg.cropping) as [[number, number], [number, number]];
        out = push(cls === 'ZeroPadding2D'
          ? new PadNode(layer.name, cls, inputs, shape, inShape, amounts)
          : new CropNode(layer.name, cls, inputs, shape, inShape, amounts));
        break;
      }
      case 'GlobalAveragePooling2D':
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(layer.name, cls, `dataFormat ${String(cfg.dataFormat)}`);
        out = push(new GlobalAvgPoolNode(layer.name, cls, inputs, shape, inShape));
        break;
      case 'GlobalMaxPooling2D': {
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(layer.name, cls, `dataFormat ${String(cfg.dataFormat)}`);
        // A max pooling whose one window is the whole image, then a reshape to [C].
        const window: [number, number] = [inShape[0], inShape[1]];
        const pooled = push(new MaxPoolNode(layer.name, cls, inputs, [1, 1, inShape[2]], inShape, window, window, 'valid'));
        out = push(new ReshapeNode(layer.name, cls, [pooled], shape, [1, 1, inShape[2]]));
        break;
      }
      case 'UpSampling2D':
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(layer.name, cls, `dataFormat ${String(cfg.dataFormat)}`);
        out = push(new UpSamplingNode(layer.name, cls, inputs, shape, inShape, cfg.interpolation === 'bilinear'));
        break;
      case 'Permute':
        out = push(new PermuteNode(layer.name, cls, inputs, shape, inShape, cfg.dims as number[]));
        break;
      case 'Concatenate': {
        const rank = shape.length + 1;
        const axis = (cfg.axis as number) < 0 ? (cfg.axis as number) + rank : (cfg.axis as number);
        const sizes = inbound.map((s) => s.shape[axis] as number);
        out = push(new ConcatNode(layer.name, cls, inputs, shape, axis, sizes));
        break;
      }
      default:
        if (IDENTITY_CLASSES.has(cls)) {
          out = push(new IdentityNode(layer.name, cls, inputs, shape, inShape));
          break;
        }
        throw new UnsupportedLayerError(layer.name, cls, 'no DeepLIFT rule for this layer class');
    }
    memo.set(key, out);
    return out;
  };

  let targetIndex: number;
  try {
    targetIndex = visit(model.outputs[0] as unknown as SymbolicLike, true);
    if (inputIndex < 0) throw new UnsupportedLayerError(model.name, model.getClassName(), 'no InputLayer found');
  } catch (e) {
    for (const n of nodes) n.dispose();
    throw e;
  }
  const inputShape = (model.inputs[0].shape.slice(1) as number[]);
  return { nodes, inputIndex, targetIndex, inputShape, droppedSoftmax, droppedActivation };
}

function checkFixedInput(model: tf.LayersModel): void {
  const shape = model.inputs[0].shape.slice(1);
  if (shape.some((d) => d === null)) {
    throw new UnsupportedLayerError(model.name, model.getClassName(),
      `the input shape [${shape.map((d) => d ?? '?')}] has free dimensions; DeepLIFT needs a fixed input size (rebuild the model with one)`);
  }
}

/** Frees the plan's cached tensors. */
export function disposePlan(plan: Plan): void {
  for (const n of plan.nodes) n.dispose();
}

const plans = new WeakMap<tf.LayersModel, Plan>();

/** The cached plan for `model` (built on first use). */
export function getPlan(model: tf.LayersModel): Plan {
  let plan = plans.get(model);
  if (!plan) {
    plan = buildPlan(model);
    plans.set(model, plan);
  }
  return plan;
}

/** Disposes and forgets the cached plan of `model`, if any. */
export function releasePlan(model: tf.LayersModel): void {
  const plan = plans.get(model);
  if (plan) {
    disposePlan(plan);
    plans.delete(model);
  }
}
