/**
 * A differentiable function x ↦ pre-softmax logits for a chain-shaped tfjs
 * LayersModel (Sequential, or functional with one path), used by the
 * gradient-based attribution methods (gradient, guided backprop,
 * gradient × input, integrated gradients) so that, like DeepLIFT, they
 * explain the logits and not the softmax (Shrikumar et al. 2017, §3.6).
 *
 * Why not `model.apply` or the DeepLIFT plan's forward: both use tfjs'
 * fused conv2d, whose gradient always computes the filter gradient too, and
 * the WASM backend has no Conv2DBackpropFilter kernel. Here each Conv2D and
 * Dense is wrapped in `tf.customGrad` whose backward is the same transposed
 * ("sub-pixel") convolution the DeepLIFT Linear rule uses (deeplift/linear.ts
 * `conv2dOp`, `denseOp`): gradients w.r.t. the input only, fast on WASM.
 *
 * Guided backprop (Springenberg et al. 2015, "Striving for Simplicity"):
 * with `guided`, every ReLU passes back only positive gradient signals to
 * positive inputs, dx = dy·[x > 0]·[dy > 0]; other activations keep their
 * ordinary gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { activationByName } from '../deeplift/activations';
import { conv2dOp, denseOp, type KernelOp, type Padding } from '../deeplift/linear';
import { UnsupportedLayerError } from '../deeplift/unsupported-layer-error';

/** x: [B, ...inputShape] float32 → logits [B, K]. Caller owns the result. */
export type LogitsFunction = (x: tf.Tensor) => tf.Tensor;

interface Step {
  apply(x: tf.Tensor, guided: boolean): tf.Tensor;
}

interface Chain {
  steps: Step[];
  /** Tensors owned by the chain (transposed kernels), freed by `releaseLogitsFunction`. */
  owned: tf.Tensor[];
  /** Input shape without batch, e.g. [28, 28, 1]. */
  inputShape: number[];
}

const IDENTITY_CLASSES = new Set([
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'InputLayer',
]);

/** Guided ReLU: forward relu, backward dy·[x > 0]·[dy > 0]. */
type CustomGradFunc = Parameters<typeof tf.customGrad>[0];

const guidedRelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.relu(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.mul(tf.mul(dy, tf.step(saved[0], 0)), tf.step(dy, 0)),
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor) => tf.Tensor;

function activationStep(name: string, layer: string, cls: string, isLast: boolean): Step | null {
  const act = activationByName(name);
  if (act === null) return null;
  if (act === undefined) throw new UnsupportedLayerError(layer, cls, `activation '${name}' is not supported`);
  // The final activation (softmax, sigmoid, …) is dropped, as DeepLIFT drops it:
  // every method explains the same pre-activation logits (target_layer_idx = -2).
  if (isLast) return null;
  if (act === 'softmax') throw new UnsupportedLayerError(layer, cls, 'softmax is only supported as the final activation');
  const isRelu = act.name === 'relu';
  return { apply: (x, guided) => (guided && isRelu ? guidedRelu(x) : act.apply(x)) };
}

/** y = op(x) + bias with the gradient w.r.t. x only: opᵀ(dy). */
function linearStep(op: KernelOp, kernel: tf.Tensor, prepared: tf.Tensor | null, bias: tf.Tensor | null): Step {
  const f = tf.customGrad(((x: tf.Tensor) => ({
    value: bias ? tf.add(op.apply(x, kernel), bias) : op.apply(x, kernel),
    gradFunc: (dy: tf.Tensor) => op.transpose(dy, kernel, prepared),
  })) as unknown as CustomGradFunc) as (x: tf.Tensor) => tf.Tensor;
  return { apply: (x) => f(x) };
}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
}

function buildChain(model: tf.LayersModel): Chain {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UnsupportedLayerError(model.name, model.getClassName(), 'need exactly one input and one output');
  }
  const steps: Step[] = [];
  const owned: tf.Tensor[] = [];
  const layers = model.layers;
  try {
    layers.forEach((layer, i) => {
      const cls = layer.getClassName();
      if (layer.inboundNodes.length > 1) throw new UnsupportedLayerError(layer.name, cls, 'shared layers are not supported here');
      const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
      if (i > 0 && (inbound.length !== 1 || inbound[0] !== layers[i - 1])) {
        throw new UnsupportedLayerError(layer.name, cls, 'only chain-shaped models (each layer feeds the next) are supported');
      }
      const cfg = layer.getConfig() as Record<string, unknown>;
      const isLast = i === layers.length - 1;
      const inShape = ((layer.input as tf.SymbolicTensor).shape).slice(1) as number[];
      const outShape = (layer.outputShape as (number | null)[]).slice(1) as number[];
      const addActivation = () => {
        const s = activationStep(String(cfg.activation ?? 'linear'), layer.name, cls, isLast);
        if (s) steps.push(s);
      };
      if (IDENTITY_CLASSES.has(cls)) return;
      switch (cls) {
        case 'Dense':
        case 'Conv2D': {
          const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor | undefined];
          let op: KernelOp;
          if (cls === 'Dense') {
            if (inShape.length !== 1) throw new UnsupportedLayerError(layer.name, cls, 'input must be flat');
            op = denseOp(kernel as tf.Tensor2D, null);
          } else {
            if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(layer.name, cls, 'channelsFirst');
            const dil = pair(cfg.dilationRate ?? 1);
            if (dil[0] !== 1 || dil[1] !== 1) throw new UnsupportedLayerError(layer.name, cls, 'dilation rate other than 1');
            op = conv2dOp(kernel as tf.Tensor4D, null, inShape, pair(cfg.strides), cfg.padding as Padding);
          }
          // Kept: the chain may be built inside a caller's tf.tidy, and lives until released.
          const prepared = op.prepareTranspose(kernel);
          if (prepared) owned.push(tf.keep(prepared));
          steps.push(linearStep(op, kernel, prepared, bias ?? null));
          addActivation();
          return;
        }
        case 'Activation':
          addActivation();
          return;
        case 'ReLU':
          if (isLast) return;
          if (cfg.maxValue != null) throw new UnsupportedLayerError(layer.name, cls, 'ReLU with maxValue');
          steps.push({ apply: (x, guided) => (guided ? guidedRelu(x) : tf.relu(x)) });
          return;
        case 'Softmax':
          if (!isLast) throw new UnsupportedLayerError(layer.name, cls, 'softmax is only supported as the final layer');
          return;
        case 'Flatten':
        case 'Reshape':
          steps.push({ apply: (x) => tf.reshape(x, [x.shape[0], ...outShape]) });
          return;
        case 'MaxPooling2D':
        case 'AveragePooling2D': {
          const size = pair(cfg.poolSize);
          const strides = pair(cfg.strides ?? cfg.poolSize);
          const padding = cfg.padding as Padding;
          steps.push({
            apply: (x) => (cls === 'MaxPooling2D'
              ? tf.maxPool(x as tf.Tensor4D, size, strides, padding)
              : tf.avgPool(x as tf.Tensor4D, size, strides, padding)),
          });
          return;
        }
        default:
          throw new UnsupportedLayerError(layer.name, cls, 'no gradient path for this layer class');
      }
    });
  } catch (e) {
    for (const t of owned) t.dispose();
    throw e;
  }
  return { steps, owned, inputShape: (model.inputs[0].shape.slice(1) as number[]) };
}

const chains = new WeakMap<tf.LayersModel, Chain>();

function chainOf(model: tf.LayersModel): Chain {
  let chain = chains.get(model);
  if (!chain) {
    chain = buildChain(model);
    chains.set(model, chain);
  }
  return chain;
}

/**
 * The pre-softmax logits of `model` as a differentiable function of its
 * input (see the file header). Guided: ReLUs use the guided-backprop
 * backward rule. Built once per model and cached; free with
 * `releaseLogitsFunction`.
 */
export function logitsFunction(model: tf.LayersModel, guided = false): LogitsFunction {
  const chain = chainOf(model);
  return (x) => tf.tidy(() => {
    let h = x;
    for (const s of chain.steps) h = s.apply(h, guided);
    return h.rank === 2 ? h : tf.reshape(h, [h.shape[0], -1]);
  });
}

/** Input shape of `model` without the batch dimension, e.g. [28, 28, 1]. */
export function modelInputShape(model: tf.LayersModel): number[] {
  return chainOf(model).inputShape.slice();
}

/** Frees the cached transposed kernels built for `model` (call before disposing it, or in tests that count tensors). */
export function releaseLogitsFunction(model: tf.LayersModel): void {
  const chain = chains.get(model);
  if (chain) {
    for (const t of chain.owned) t.dispose();
    chains.delete(model);
  }
}
