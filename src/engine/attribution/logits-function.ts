/**
 * A differentiable function x ↦ pre-softmax logits for any tfjs LayersModel
 * the DeepLIFT engine converts (Sequential or functional DAG: branches,
 * merges, every layer of deeplift/graph.ts), used by the gradient-based
 * attribution methods (gradient, guided backprop, gradient × input,
 * integrated gradients) so that, like DeepLIFT, they explain the logits and
 * not the softmax (Shrikumar et al. 2017, §3.6).
 *
 * It runs the DeepLIFT plan's nodes forward. Every linear node (Dense,
 * convolutions, batch norm, pooling, padding, merges, ...) is wrapped in
 * `tf.customGrad` whose backward is that node's own transpose — the one
 * DeepLIFT's Linear rule uses (its `backward` with m⁺ = m⁻, which needs no
 * per-call state). Why not tfjs' autodiff of `model.apply`: the fused
 * conv2d gradient also computes the filter gradient, for which the WASM
 * backend has no kernel; WASM has no depthwise-conv input gradient nor
 * UnsortedSegmentSum either; and tfjs' AvgPoolGrad divides by the full
 * window where 'same' padding cut it. Max pooling routes to the first
 * maximum of each window on every backend (max-pool.ts `route`);
 * activations use tfjs' autodiff.
 *
 * Guided backprop (Springenberg et al. 2015, "Striving for Simplicity"):
 * with `guided`, every ReLU passes back only positive gradient signals to
 * positive inputs, dx = dy·[x > 0]·[dy > 0]; other activations keep their
 * ordinary gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { ActivationNode } from '../deeplift/activation-node';
import { getPlan, releasePlan, type Plan } from '../deeplift/graph';
import { MaxPoolNode } from '../deeplift/max-pool';
import type { DeepLiftContext, DeepLiftNode } from '../deeplift/node';

/** x: [B, ...inputShape] float32 → logits [B, K]. Caller owns the result. */
export type LogitsFunction = (x: tf.Tensor) => tf.Tensor;

type CustomGradFunc = Parameters<typeof tf.customGrad>[0];

/** Guided ReLU: forward relu, backward dy·[x > 0]·[dy > 0]. */
const guidedRelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.relu(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.mul(tf.mul(dy, tf.step(saved[0], 0)), tf.step(dy, 0)),
  };
}) as unknown as CustomGradFunc) as (x: tf.Tensor) => tf.Tensor;

/** Linear nodes' backward with m⁺ = m⁻ reads no context; this one says so loudly if one ever does. */
const NO_CONTEXT = new Proxy({}, {
  get: () => { throw new Error('a linear node read DeepLIFT state in its transpose'); },
}) as DeepLiftContext;

const differentiable = new WeakMap<DeepLiftNode, (...xs: tf.Tensor[]) => tf.Tensor>();

/** The node's forward with its linear transpose as the gradient. */
function linearWithTranspose(node: DeepLiftNode, self: number): (...xs: tf.Tensor[]) => tf.Tensor {
  let f = differentiable.get(node);
  if (!f) {
    f = tf.customGrad(((...args: unknown[]) => {
      const xs = args.slice(0, node.inputs.length) as tf.Tensor[];
      const y = node.forward(xs);
      return {
        // An identity (Dropout) returns its input; customGrad needs a new tensor.
        value: xs.includes(y) ? tf.clone(y) : y,
        // Add and identities hand dy itself back (to several inputs): the tape needs distinct tensors.
        gradFunc: (dy: tf.Tensor) => node.backward(NO_CONTEXT, self, { pos: dy, neg: dy })
          .map((m, k, all) => (m.pos === dy || all.findIndex((o) => o.pos === m.pos) !== k ? tf.clone(m.pos) : m.pos)),
      };
    }) as unknown as CustomGradFunc) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
    differentiable.set(node, f);
  }
  return f;
}

const maxPools = new WeakMap<MaxPoolNode, (x: tf.Tensor) => tf.Tensor>();

/** Max pooling whose gradient goes to the first maximum of each window on every backend (MaxPoolNode.route). */
function maxPoolWithFirstMaxGradient(node: MaxPoolNode): (x: tf.Tensor) => tf.Tensor {
  let f = maxPools.get(node);
  if (!f) {
    f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x]);
      return { value: node.forward([x]), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => node.route(saved[0], dy) };
    }) as unknown as CustomGradFunc) as (x: tf.Tensor) => tf.Tensor;
    maxPools.set(node, f);
  }
  return f;
}

/** Runs the plan from node `start` (the input, or the end of the input's linear chain) holding `x`. */
function run(plan: Plan, x: tf.Tensor, guided: boolean, start = plan.inputIndex): tf.Tensor {
  const values: (tf.Tensor | undefined)[] = [];
  for (let i = 0; i <= plan.targetIndex; i++) {
    const node = plan.nodes[i];
    if (i === start) {
      values.push(x);
      continue;
    }
    if (i < start) {
      // The input and its chain: nothing after `start` reads them (inputLinearChain).
      values.push(undefined);
      continue;
    }
    const inputs = node.inputs.map((j) => {
      const v = values[j];
      if (!v) throw new Error(`layer ${node.name} reads a value before node ${start}`);
      return v;
    });
    if (node.forwardDelta) {
      values.push(linearWithTranspose(node, i)(...inputs));
    } else if (node instanceof MaxPoolNode) {
      values.push(maxPoolWithFirstMaxGradient(node)(inputs[0]));
    } else if (guided && node instanceof ActivationNode && node.activation.name === 'relu') {
      values.push(guidedRelu(inputs[0]));
    } else {
      values.push(node.forward(inputs));
    }
  }
  return values[plan.targetIndex] as tf.Tensor;
}

/**
 * The chain of linear nodes at the model's input, each the only reader of
 * the one before (a first convolution, a padding or rescaling before it):
 * their indices in order, empty when the input feeds a nonlinearity or
 * several layers. A gradient is linear in the gradient at the chain's end
 * and the same map for every input, so gradients summed over a batch there
 * pass back through the chain once (integrated gradients).
 */
export function inputLinearChain(plan: Plan): number[] {
  const readers = plan.nodes.map(() => [] as number[]);
  plan.nodes.forEach((node, i) => node.inputs.forEach((j) => readers[j].push(i)));
  const chain: number[] = [];
  let at = plan.inputIndex;
  for (;;) {
    const next = readers[at];
    if (next.length !== 1 || next[0] === plan.targetIndex) return chain;
    const node = plan.nodes[next[0]];
    if (!node.forwardDelta || node.inputs.length !== 1) return chain;
    chain.push(next[0]);
    at = next[0];
  }
}

/**
 * The logits as a differentiable function of the value of node `start`
 * (the input, or the last node of `inputLinearChain`), with the forward
 * values of the chain and the transpose back through it.
 */
export function splitAtInputChain(model: tf.LayersModel): {
  /** x [B, ...inputShape] → the chain end's value. Caller owns the result. */
  chainForward: (x: tf.Tensor) => tf.Tensor;
  /** The logits from the chain end's value (differentiable). */
  logits: LogitsFunction;
  /** A gradient at the chain end → the gradient at the input (the chain's transposes). */
  chainTranspose: (g: tf.Tensor) => tf.Tensor;
} {
  const plan = getPlan(model);
  const chain = inputLinearChain(plan);
  const start = chain.length > 0 ? chain[chain.length - 1] : plan.inputIndex;
  return {
    chainForward: (x) => tf.tidy(() => chain.reduce((v, i) => plan.nodes[i].forward([v]), x).clone()),
    logits: (h) => tf.tidy(() => {
      const out = run(plan, h, false, start);
      return out.rank === 2 ? out : tf.reshape(out, [out.shape[0], -1]);
    }),
    chainTranspose: (g) => tf.tidy(() => [...chain].reverse()
      .reduce((m, i) => plan.nodes[i].backward(NO_CONTEXT, i, { pos: m, neg: m })[0].pos, g).clone()),
  };
}

/**
 * The pre-softmax logits of `model` as a differentiable function of its
 * input (see the file header). Guided: ReLUs use the guided-backprop
 * backward rule. Uses the DeepLIFT plan cached for the model; free with
 * `releaseLogitsFunction` (or `releaseDeepLiftCache`).
 */
export function logitsFunction(model: tf.LayersModel, guided = false): LogitsFunction {
  const plan = getPlan(model);
  return (x) => tf.tidy(() => {
    const h = run(plan, x, guided);
    return h.rank === 2 ? h : tf.reshape(h, [h.shape[0], -1]);
  });
}

/** Input shape of `model` without the batch dimension, e.g. [28, 28, 1]. */
export function modelInputShape(model: tf.LayersModel): number[] {
  return getPlan(model).inputShape.slice();
}

/** Frees the cached plan built for `model` (call before disposing it, or in tests that count tensors). */
export function releaseLogitsFunction(model: tf.LayersModel): void {
  releasePlan(model);
}
