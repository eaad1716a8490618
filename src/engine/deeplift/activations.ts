/**
 * Elementwise nonlinearities that DeepLIFT's Rescale and RevealCancel rules
 * can pass through (Shrikumar et al. 2017, §3.5.2–3.5.3).
 *
 * Each entry gives the function f and its derivative f′. The derivative is
 * only used by the Rescale rule's gradient fallback (|Δx| below the
 * threshold). Following the reference code exactly
 * (kundajelab/deeplift, deeplift/layers/activations.py,
 * `Activation._build_fwd_pass_vars`): the fallback is
 * `_get_gradient_at_activation(self.get_reference_vars())`, i.e. it is
 * evaluated at the layer's *output* reference activation y₀ = f(x₀), and
 * `Sigmoid`/`Tanh._get_gradient_at_activation` re-apply the nonlinearity to
 * that argument. So the reference code's fallback for sigmoid is
 * σ(σ(x₀))·(1 − σ(σ(x₀))) and for tanh 1 − tanh²(tanh(x₀)); for ReLU
 * (PReLU with α = 0: `lte_mask·α + gt_mask`) it is [y₀ > 0] = [x₀ > 0].
 * Callers pass y₀ to `derivative` to reproduce that; for the activations
 * the reference code lacks (relu6, leaky ReLU, elu, selu, softplus,
 * softsign) we keep the same convention (f′ applied to y₀).
 */
import * as tf from '@tensorflow/tfjs';

export interface ElementwiseActivation {
  /** Name for messages, e.g. 'relu'. */
  readonly name: string;
  /** y = f(x), elementwise, any shape. Caller owns the result. */
  apply(x: tf.Tensor): tf.Tensor;
  /** f′ evaluated at `z` (see the header for which argument to pass). */
  derivative(z: tf.Tensor): tf.Tensor;
}

function leaky(alpha: number): ElementwiseActivation {
  return {
    name: alpha === 0 ? 'relu' : `leakyRelu(${alpha})`,
    apply: (x) => (alpha === 0 ? tf.relu(x) : tf.leakyRelu(x, alpha)),
    // PReLU._get_gradient_at_activation: lte_mask(z,0)·α + gt_mask(z,0)·1.
    derivative: (z) => tf.step(z, alpha),
  };
}

function clippedRelu(maxValue: number): ElementwiseActivation {
  return {
    name: `relu(max ${maxValue})`,
    apply: (x) => tf.clipByValue(x, 0, maxValue),
    // [z > 0]·[z < max] as steps (fl(max − z) > 0 exactly when z < max): WASM comparisons and logicalAnd are ~4× slower.
    derivative: (z) => tf.mul(tf.step(z), tf.step(tf.sub(maxValue, z))),
  };
}

function elu(alpha: number, scale = 1): ElementwiseActivation {
  return {
    name: scale === 1 ? 'elu' : 'selu',
    // relu(x) + α(e^min(x,0) − 1): no tf.where, so tfjs can differentiate it (gradient methods).
    apply: (x) => tf.mul(tf.add(tf.relu(x), tf.mul(alpha, tf.sub(tf.exp(tf.minimum(x, 0)), 1))), scale),
    derivative: (z) => tf.where(tf.greater(z, 0), tf.onesLike(z), tf.mul(alpha, tf.exp(z))).mul(scale),
  };
}

const SIGMOID: ElementwiseActivation = {
  name: 'sigmoid',
  apply: (x) => tf.sigmoid(x),
  derivative: (z) => {
    // Sigmoid._get_gradient_at_activation: out = σ(z); out·(1 − out).
    const out = tf.sigmoid(z);
    return tf.mul(out, tf.sub(1, out));
  },
};

const TANH: ElementwiseActivation = {
  name: 'tanh',
  apply: (x) => tf.tanh(x),
  derivative: (z) => {
    const out = tf.tanh(z);
    return tf.sub(1, tf.mul(out, out));
  },
};

const SOFTPLUS: ElementwiseActivation = {
  name: 'softplus',
  apply: (x) => tf.softplus(x),
  derivative: (z) => tf.sigmoid(z),
};

const SOFTSIGN: ElementwiseActivation = {
  name: 'softsign',
  apply: (x) => tf.div(x, tf.add(1, tf.abs(x))),
  derivative: (z) => {
    const d = tf.add(1, tf.abs(z));
    return tf.div(1, tf.mul(d, d));
  },
};

/** Keras' SELU constants. */
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** x·σ(x) (Keras swish / silu). */
const SWISH: ElementwiseActivation = {
  name: 'swish',
  apply: (x) => tf.mul(x, tf.sigmoid(x)),
  derivative: (z) => {
    const s = tf.sigmoid(z);
    return tf.add(s, tf.mul(tf.mul(z, s), tf.sub(1, s)));
  },
};

/** x·Φ(x), exact (erf) form, as tfjs' 'gelu'. */
const GELU: ElementwiseActivation = {
  name: 'gelu',
  apply: (x) => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))),
  derivative: (z) => {
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.div(z, Math.SQRT2))));
    const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(z))));
    return tf.add(cdf, tf.mul(z, pdf));
  },
};

/** tanh approximation of GELU (tfjs 'gelu_new', Keras gelu(approximate=True)). */
const GELU_TANH: ElementwiseActivation = {
  name: 'gelu_new',
  apply: (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(
    tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
  derivative: (z) => {
    const c = Math.sqrt(2 / Math.PI);
    const u = tf.mul(c, tf.add(z, tf.mul(0.044715, tf.pow(z, 3))));
    const t = tf.tanh(u);
    const du = tf.mul(c, tf.add(1, tf.mul(3 * 0.044715, tf.square(z))));
    return tf.add(tf.mul(0.5, tf.add(1, t)), tf.mul(tf.mul(tf.mul(0.5, z), tf.sub(1, tf.square(t))), du));
  },
};

/** x·tanh(softplus(x)). */
const MISH: ElementwiseActivation = {
  name: 'mish',
  apply: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  derivative: (z) => {
    const t = tf.tanh(tf.softplus(z));
    return tf.add(t, tf.mul(tf.mul(z, tf.sub(1, tf.square(t))), tf.sigmoid(z)));
  },
};

/** clip(0.2·x + 0.5, 0, 1): tfjs' and Keras 2's hard sigmoid. */
const HARD_SIGMOID: ElementwiseActivation = {
  name: 'hard_sigmoid',
  apply: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  derivative: (z) => tf.mul(0.2, tf.logicalAnd(tf.greater(z, -2.5), tf.less(z, 2.5)).cast('float32')),
};

const EXPONENTIAL: ElementwiseActivation = {
  name: 'exponential',
  apply: (x) => tf.exp(x),
  derivative: (z) => tf.exp(z),
};

/**
 * Looks up an activation by its Keras/tfjs name ('relu', 'sigmoid', ...).
 * Returns null for 'linear' (no layer needed, as in the reference code's
 * `linear_conversion`), 'softmax' as the string 'softmax' (the caller decides:
 * dropped at the output, unsupported elsewhere), and undefined when unknown.
 */
export function activationByName(name: string): ElementwiseActivation | null | 'softmax' | undefined {
  switch (name.toLowerCase().replace(/_/g, '')) {
    case 'linear': return null;
    case 'softmax': return 'softmax';
    case 'relu': return leaky(0);
    case 'relu6': return clippedRelu(6);
    case 'sigmoid': return SIGMOID;
    case 'tanh': return TANH;
    case 'elu': return elu(1);
    case 'selu': return elu(SELU_ALPHA, SELU_SCALE);
    case 'softplus': return SOFTPLUS;
    case 'softsign': return SOFTSIGN;
    case 'swish': case 'silu': return SWISH;
    case 'gelu': return GELU;
    case 'gelunew': return GELU_TANH;
    case 'mish': return MISH;
    case 'hardsigmoid': return HARD_SIGMOID;
    case 'exponential': return EXPONENTIAL;
    default: return undefined;
  }
}

/**
 * Keras' ReLU layer: f(x) = max_value for x ≥ max_value, x for
 * threshold ≤ x < max_value, negative_slope·(x − threshold) below.
 */
export function kerasRelu(maxValue: number | null | undefined, negativeSlope = 0, threshold = 0): ElementwiseActivation {
  if (negativeSlope === 0 && threshold === 0) return maxValue == null ? leaky(0) : clippedRelu(maxValue);
  if (threshold === 0 && maxValue == null) return leaky(negativeSlope);
  const max = maxValue ?? Infinity;
  // [x ≥ v] as 1 − step(v − x): masks made with step (whose gradient is zero) keep apply differentiable.
  const atLeast = (x: tf.Tensor, v: number) => tf.sub(1, tf.step(tf.sub(v, x)));
  return {
    name: `relu(max ${max}, slope ${negativeSlope}, threshold ${threshold})`,
    apply: (x) => {
      const above = atLeast(x, threshold);
      const below = tf.add(tf.mul(above, x), tf.mul(tf.sub(1, above), tf.mul(negativeSlope, tf.sub(x, threshold))));
      if (max === Infinity) return below;
      const capped = atLeast(x, max);
      return tf.add(tf.mul(capped, max), tf.mul(tf.sub(1, capped), below));
    },
    derivative: (z) => tf.where(tf.greaterEqual(z, max), tf.zerosLike(z),
      tf.where(tf.greater(z, threshold), tf.onesLike(z), tf.fill(z.shape, negativeSlope))),
  };
}

/** ReLU layer options (tf.layers.reLU({maxValue})). */
export function reluLayerActivation(maxValue: number | null | undefined): ElementwiseActivation {
  return kerasRelu(maxValue);
}

/** LeakyReLU layer (α) — the reference code's PReLU with a fixed α. */
export function leakyReluActivation(alpha: number): ElementwiseActivation {
  return leaky(alpha);
}

/**
 * PReLU layer with learned α (broadcast over the shared axes): the
 * reference code's PReLU; f′ = [z > 0] + α·[z ≤ 0]. `alpha` is not owned.
 */
export function preluActivation(alpha: tf.Tensor): ElementwiseActivation {
  return {
    name: 'prelu',
    apply: (x) => tf.prelu(x, alpha),
    derivative: (z) => tf.where(tf.greater(z, 0), tf.onesLike(z), tf.mul(tf.onesLike(z), alpha)),
  };
}

/** ThresholdedReLU: x where x > θ, else 0. */
export function thresholdedReluActivation(theta: number): ElementwiseActivation {
  return {
    name: `thresholdedRelu(${theta})`,
    apply: (x) => tf.mul(x, tf.step(tf.sub(x, theta))),
    derivative: (z) => tf.cast(tf.greater(z, theta), 'float32'),
  };
}

/** ELU layer (α). */
export function eluActivation(alpha: number): ElementwiseActivation {
  return elu(alpha);
}
