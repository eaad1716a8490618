/**
 * DeepLIFT's Linear rule (Shrikumar et al. 2017, §3.5.1) for layers with
 * weights: Dense, Conv2D and DepthwiseConv2D (a conv's activation, if any,
 * becomes a separate activation node, as the reference code's Keras
 * conversion does: `conv2d_conversion`/`dense_conversion` emit a
 * "preact_" linear layer followed by the activation layer).
 *
 * Transcribed from the reference code (kundajelab/deeplift,
 * deeplift/layers/core.py `Dense`, deeplift/layers/convolutional.py
 * `Conv2D`):
 * - Forward contributions [`_build_pos_and_neg_contribs`]: with
 *   Δx⁺ = Δx·[Δx>0], Δx⁻ = Δx·[Δx<0], W⁺ = W·[W>0], W⁻ = W·[W<0]:
 *   Δy⁺ = W⁺Δx⁺ + W⁻Δx⁻ and Δy⁻ = W⁻Δx⁺ + W⁺Δx⁻ (the sign of each
 *   wᵢΔxᵢ decides). The bias contributes nothing.
 * - Backward [`_get_mxts_increments_for_inputs`]: each *input* unit picks
 *   its multiplier by the sign of its own Δx:
 *     Δx > 0: m⁺·W⁺ᵀ + m⁻·W⁻ᵀ
 *     Δx < 0: m⁺·W⁻ᵀ + m⁻·W⁺ᵀ
 *     Δx = 0 (exactly): ½(m⁺ + m⁻)·Wᵀ
 *   and the input's positive and negative multipliers both receive that same
 *   increment (the split of Δx was not used to form Δy⁺/Δy⁻).
 *   When m⁺ and m⁻ are the same tensor (no RevealCancel layer above) all
 *   three cases equal m·Wᵀ, which is what we compute then: one matMul /
 *   conv2dTranspose instead of five (identical up to float32 rounding of
 *   W⁺ + W⁻ = W). The transposes avoid the slow WASM kernels (see denseOp,
 *   conv2dOp).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type DeepLiftContext, type DeepLiftNode, type Multipliers, type PosNeg,
  cropHW, gtMask, ltMask, splitBySign,
} from './node';

/** The weight-dependent part of a linear layer, without the bias. */
export interface KernelOp {
  /** y = x ⊛ kernel (no bias), x: [B, ...inShape]. */
  apply(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
  /**
   * Precomputes whatever `transpose` needs for `kernel` (e.g. Wᵀ). The
   * result is owned by the caller (kept across calls); null if nothing.
   */
  prepareTranspose(kernel: tf.Tensor): tf.Tensor | null;
  /** kernelᵀ applied to m: [B, ...outShape] → [B, ...inShape]; = finish(core(start(m), ...)). */
  transpose(m: tf.Tensor, kernel: tf.Tensor, prepared: tf.Tensor | null): tf.Tensor;
  /**
   * The transpose in three linear stages, of which only `core` depends on
   * the kernel (padding; the product; interleaving and cropping), so that a
   * sum of transposes of the same m, or of sums through several kernels, can
   * share the other two (RevealCancel's four products per layer).
   */
  start(m: tf.Tensor): tf.Tensor;
  core(started: tf.Tensor, kernel: tf.Tensor, prepared: tf.Tensor | null): tf.Tensor;
  finish(core: tf.Tensor): tf.Tensor;
  /** y = x ⊛ kernel + bias, possibly as one fused op. */
  applyWithBias(x: tf.Tensor): tf.Tensor;
}

export type Padding = 'valid' | 'same';

/**
 * Dense: y = x·W + b, x: [B, n], W: [n, k]. The transpose multiplies by a
 * cached Wᵀ: tfjs-backend-wasm's matMul with transposeB re-transposes W on
 * every call (about 30× slower here for a [11, 128]·[128, 1600] product).
 */
export function denseOp(kernel: tf.Tensor2D, bias: tf.Tensor1D | null): KernelOp {
  return staged({
    apply: (x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    prepareTranspose: (w) => tf.tidy(() => tf.transpose(w)),
    start: (m) => m,
    core: (m, w, wT) => (wT
      ? tf.matMul(m as tf.Tensor2D, wT as tf.Tensor2D)
      : tf.matMul(m as tf.Tensor2D, w as tf.Tensor2D, false, true)),
    finish: (t) => t,
    applyWithBias: (x) => tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel, bias: bias ?? undefined }),
  });
}

/** A KernelOp whose transpose is its stages in a row. */
function staged(op: Omit<KernelOp, 'transpose'>): KernelOp {
  return { ...op, transpose: (m, w, prepared) => op.finish(op.core(op.start(m), w, prepared)) };
}

/** TF's output size and leading padding of a conv along one axis. */
export function convAxis(inLen: number, k: number, s: number, padding: Padding): { out: number; before: number } {
  if (padding === 'valid') return { out: Math.floor((inLen - k) / s) + 1, before: 0 };
  const out = Math.ceil(inLen / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + k - inLen, 0) / 2) };
}

/**
 * Conv2D (NHWC, dilation 1): kernel [kh, kw, cin, cout].
 *
 * The transpose (the gradient of the conv w.r.t. its input) is computed as a
 * "sub-pixel" convolution instead of tf.conv2dTranspose, whose WASM kernel
 * is a slow scalar loop: along each axis, input position i (with the
 * forward's leading padding p) is written i + p = s·q + a, a ∈ [0, s), and
 * receives Σₜ m[q − t]·K[s·t + a] for t < T = ⌈k/s⌉. That is, for each phase
 * (a, b), a stride-1 correlation of m (padded by T − 1 in front) with the
 * kernel taps K[s(T−1−u) + a, s(T−1−v) + b, ci, co] — all s² phases at once as
 * one conv2d with s²·cin output channels — followed by interleaving the
 * phases into rows and columns (reshape, 4-D transpose, reshape) and
 * cropping [p, p + H). The same products as conv2dTranspose, summed in
 * another order.
 */
export function conv2dOp(
  kernel: tf.Tensor4D, bias: tf.Tensor1D | null, inShape: readonly number[],
  strides: [number, number], padding: Padding,
): KernelOp {
  const [kh, kw, cin, cout] = kernel.shape;
  const [sh, sw] = strides;
  const [inH, inW] = inShape;
  const rows = convAxis(inH, kh, sh, padding);
  const cols = convAxis(inW, kw, sw, padding);
  const th = Math.ceil(kh / sh);
  const tw = Math.ceil(kw / sw);
  // Phase grid size Q = ⌊(H − 1 + p)/s⌋ + 1, but no more than the out + T − 1 phases that m reaches
  // (the rest would be all zeros: a small m's transpose would do up to twice the forward's work), and
  // the padding of m that yields it. Rows past the grid are zeros, padded back after the crop.
  const phases = (len: number, before: number, out: number, s: number, t: number) =>
    Math.min(Math.floor((len - 1 + before) / s) + 1, out + t - 1);
  const outQh = phases(inH, rows.before, rows.out, sh, th);
  const outQw = phases(inW, cols.before, cols.out, sw, tw);
  const padH: [number, number] = [th - 1, outQh - rows.out];
  const padW: [number, number] = [tw - 1, outQw - cols.out];
  const keptH = Math.min(inH, outQh * sh - rows.before);
  const keptW = Math.min(inW, outQw * sw - cols.before);
  return staged({
    apply: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, padding),
    prepareTranspose: (w) => tf.tidy(() => {
      // Gather the sub-pixel kernel [th, tw, cout, sh·sw·cin]; taps beyond the kernel read the appended 0.
      const flat = tf.concat([tf.reshape(w, [-1]), tf.zeros([1])]);
      const index = new Int32Array(th * tw * cout * sh * sw * cin);
      let n = 0;
      for (let u = 0; u < th; u++) for (let v = 0; v < tw; v++) for (let co = 0; co < cout; co++) {
        for (let a = 0; a < sh; a++) for (let b = 0; b < sw; b++) for (let ci = 0; ci < cin; ci++) {
          const ky = sh * (th - 1 - u) + a;
          const kx = sw * (tw - 1 - v) + b;
          index[n++] = ky < kh && kx < kw ? ((ky * kw + kx) * cin + ci) * cout + co : kh * kw * cin * cout;
        }
      }
      return tf.reshape(tf.gather(flat, tf.tensor1d(index, 'int32')), [th, tw, cout, sh * sw * cin]);
    }),
    // The convolution pads (explicit padding, no copy of m) and the crop happens only where there is
    // something to crop: on WASM a pad is a full copy, and a batched slice costs like a convolution.
    start: (m) => m,
    core: (m, _w, sub) => tf.conv2d(m as tf.Tensor4D, sub as tf.Tensor4D, 1, explicitPadding(padH, padW)),
    finish: (phases) => {
      const batch = phases.shape[0];
      let rowsCols = phases;
      if (sh > 1 || sw > 1) {
        rowsCols = tf.reshape(tf.transpose(
          tf.reshape(phases, [batch * outQh, outQw, sh, sw * cin]), [0, 2, 1, 3]),
        [batch, outQh * sh, outQw * sw, cin]);
      }
      const kept = cropHW(rowsCols, rows.before, cols.before, keptH, keptW);
      return keptH === inH && keptW === inW ? kept : tf.pad(kept, [[0, 0], [0, inH - keptH], [0, inW - keptW], [0, 0]]);
    },
    applyWithBias: (x) => tf.fused.conv2d({
      x: x as tf.Tensor4D, filter: kernel, strides, pad: padding, bias: bias ?? undefined,
    }),
  });
}

/** A convolution's explicit NHWC padding of H by `padH` and W by `padW` (the same values as tf.pad then 'valid'). */
function explicitPadding(padH: [number, number], padW: [number, number]): [[0, 0], [number, number], [number, number], [0, 0]] {
  return [[0, 0], padH, padW, [0, 0]];
}

/**
 * Inserts s − 1 zeros after every entry along `axis` (1 or 2) and keeps (n − 1)·s + 1 entries,
 * or all n·s with `tail` (the last s − 1 zeros too: no crop, which on WASM is another copy).
 */
function spread(t: tf.Tensor, axis: 1 | 2, s: number, tail: boolean): tf.Tensor {
  if (s === 1) return t;
  const [b, h, w, c] = t.shape;
  const split = axis === 1 ? [b, h, 1, w * c] : [b * h, w, 1, c];
  const padded = tf.pad(tf.reshape(t, split), [[0, 0], [0, 0], [0, s - 1], [0, 0]]);
  const merged = tf.reshape(padded, axis === 1 ? [b, h * s, w, c] : [b, h, w * s, c]);
  if (tail) return merged;
  return axis === 1 ? cropHW(merged, 0, 0, (h - 1) * s + 1, w) : cropHW(merged, 0, 0, h, (w - 1) * s + 1);
}

/**
 * [B, h, w, C] → [B, (h − 1)·sh + 1, (w − 1)·sw + 1, C] with the entries
 * sh rows and sw columns apart and zeros between: the transpose of a
 * strided slice. With `tails`, rows (columns) keep the s − 1 zeros after
 * the last entry: h·sh rows (w·sw columns).
 */
export function spreadStrided(t: tf.Tensor, sh: number, sw: number, tails: [boolean, boolean] = [false, false]): tf.Tensor {
  return spread(spread(t, 1, sh, tails[0]), 2, sw, tails[1]);
}

/**
 * DepthwiseConv2D (NHWC, dilation 1): kernel [kh, kw, cin, multiplier].
 *
 * The transpose is written out (tfjs-backend-wasm has no
 * DepthwiseConv2dNativeBackpropInput kernel): along each axis, with the
 * forward's leading padding p and stride s, input i receives
 * Σ_{o·s + k − p = i} m[o]·K[k]. Inserting s − 1 zeros between the rows of
 * m (u), padding u by kh − 1 − p in front and by H + p − len(u) behind, and
 * correlating (stride 1, 'valid') with the spatially flipped kernel gives
 * exactly that sum. The multiplier's outputs ci·M + j of each input channel
 * are then summed.
 */
export function depthwiseConv2dOp(
  kernel: tf.Tensor4D, bias: tf.Tensor1D | null, inShape: readonly number[],
  strides: [number, number], padding: Padding,
): KernelOp {
  const [kh, kw, cin, mult] = kernel.shape;
  const [sh, sw] = strides;
  const [inH, inW] = inShape;
  const rows = convAxis(inH, kh, sh, padding);
  const cols = convAxis(inW, kw, sw, padding);
  const upH = (rows.out - 1) * sh + 1;
  const upW = (cols.out - 1) * sw + 1;
  const padH: [number, number] = [kh - 1 - rows.before, inH + rows.before - upH];
  const padW: [number, number] = [kw - 1 - cols.before, inW + cols.before - upW];
  const isSameSplit = (pad: [number, number], k: number) => pad[0] === Math.floor((k - 1) / 2) && pad[1] === k - 1 - pad[0];
  const sameSplit = sh === 1 && sw === 1 && isSameSplit(padH, kh) && isSameSplit(padW, kw);
  const tails: [boolean, boolean] = [sh > 1 && padH[1] >= sh - 1, sw > 1 && padW[1] >= sw - 1];
  const tailPadH: [number, number] = [padH[0], padH[1] - (tails[0] ? sh - 1 : 0)];
  const tailPadW: [number, number] = [padW[0], padW[1] - (tails[1] ? sw - 1 : 0)];
  const apply = (x: tf.Tensor, w: tf.Tensor) =>
    tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, padding);
  return staged({
    apply,
    // The flipped kernel as a multiplier-1 depthwise filter over the cin·M channels of m.
    prepareTranspose: (w) => tf.tidy(() => tf.reshape(tf.reverse(w, [0, 1]), [kh, kw, cin * mult, 1])),
    // The convolution pads (TF's 'same' where that is the split, else explicitly): no copy of m. Where
    // the padding behind covers them, the spread keeps its trailing zeros (no crop) and pads that less.
    start: (m) => spreadStrided(m, sh, sw, tails),
    core: (u, _w, flipped) => tf.depthwiseConv2d(u as tf.Tensor4D, flipped as tf.Tensor4D, 1,
      sameSplit ? 'same' : explicitPadding(tailPadH, tailPadW)),
    finish: (g) => (mult === 1 ? g : tf.sum(tf.reshape(g, [g.shape[0], inH, inW, cin, mult]), 4)),
    applyWithBias: (x) => (bias ? tf.add(apply(x, kernel), bias) : apply(x, kernel)),
  });
}

/**
 * Window sums of a pooling layer (all-ones window, every channel) and
 * their transpose, as a depthwise op: for AvgPool and crossmax MaxPool.
 * Creates its ones-kernel per call (call inside a tidy).
 */
export function windowSums(
  inShape: readonly number[], poolSize: [number, number], strides: [number, number], padding: Padding,
): { apply(x: tf.Tensor): tf.Tensor; transpose(m: tf.Tensor): tf.Tensor } {
  const ones = tf.ones([poolSize[0], poolSize[1], inShape[2], 1]) as tf.Tensor4D;
  const op = depthwiseConv2dOp(ones, null, inShape, strides, padding);
  const flipped = op.prepareTranspose(ones);
  return { apply: (x) => op.apply(x, ones), transpose: (m) => op.transpose(m, ones, flipped) };
}

/** A Dense/Conv2D/DepthwiseConv2D layer under the Linear rule. */
export class WeightedLinearNode implements DeepLiftNode {
  private readonly kernelPos: tf.Tensor;
  private readonly kernelNeg: tf.Tensor;
  /** Transpose-ready forms of W, W⁺, W⁻ (see KernelOp.prepareTranspose). */
  private readonly prepared: Map<tf.Tensor, tf.Tensor | null>;

  /**
   * @param kernel the layer's kernel; not owned (the model keeps it) unless
   *   `ownsKernel` (a kernel derived at conversion, e.g. a dilated one).
   * W⁺, W⁻ and the transpose-ready forms are derived here and owned by the
   * node until `dispose`.
   */
  constructor(
    readonly name: string, readonly className: string,
    readonly inputs: readonly number[], readonly shape: readonly number[],
    private readonly kernel: tf.Tensor, private readonly op: KernelOp,
    private readonly ownsKernel = false,
  ) {
    this.kernelPos = tf.tidy(() => tf.keep(tf.mul(kernel, gtMask(kernel))));
    this.kernelNeg = tf.tidy(() => tf.keep(tf.mul(kernel, ltMask(kernel))));
    this.prepared = new Map();
    for (const w of [kernel, this.kernelPos, this.kernelNeg]) {
      const p = op.prepareTranspose(w);
      this.prepared.set(w, p ? tf.keep(p) : null);
    }
  }

  readonly posNegFromDelta = true;

  forward(inputs: tf.Tensor[]): tf.Tensor {
    return this.op.applyWithBias(inputs[0]);
  }

  forwardDelta(deltas: tf.Tensor[]): tf.Tensor {
    return this.op.apply(deltas[0], this.kernel);
  }

  posNeg(ctx: DeepLiftContext): PosNeg {
    const { pos: dxPos, neg: dxNeg } = splitBySign(ctx.delta(this.inputs[0]));
    const { op, kernelPos: wPos, kernelNeg: wNeg } = this;
    // Four products, not [Δx⁺; Δx⁻] as one batch through W⁺ and W⁻: the concat and the two splits
    // that takes cost more on WASM than the products save.
    return {
      pos: tf.add(op.apply(dxPos, wPos), op.apply(dxNeg, wNeg)),
      neg: tf.add(op.apply(dxPos, wNeg), op.apply(dxNeg, wPos)),
    };
  }

  /** Under RevealCancel m⁺ ≠ m⁻ may reach this layer: the backward then reads the sign of Δx. */
  prepareBackward(ctx: DeepLiftContext): void {
    if (ctx.rule === 'revealcancel') ctx.delta(this.inputs[0]);
  }

  private transpose(m: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    return this.op.transpose(m, kernel, this.prepared.get(kernel) ?? null);
  }

  /** finish(core(a, ka) + core(b, kb)) for started a, b: Σ of two transposes with one finish. */
  private transposeSum(a: tf.Tensor, ka: tf.Tensor, b: tf.Tensor, kb: tf.Tensor): tf.Tensor {
    const { op, prepared } = this;
    return op.finish(tf.add(op.core(a, ka, prepared.get(ka) ?? null), op.core(b, kb, prepared.get(kb) ?? null)));
  }

  backward(ctx: DeepLiftContext, _self: number, m: Multipliers): Multipliers[] {
    if (m.pos === m.neg) {
      const inc = this.transpose(m.pos, this.kernel);
      return [{ pos: inc, neg: inc }];
    }
    const dx = ctx.delta(this.inputs[0]);
    // Since W = W⁺ + W⁻ (disjoint supports), ½(m⁺ + m⁻)Wᵀ = ½(whenPos + whenNeg): four transposes, not five.
    // (Not batched as one [m⁺; m⁻] pass: that doubles the peak memory, too much at 224×224 on WASM.)
    // Each of m⁺, m⁻ padded once, each sum finished (interleaved, cropped) once: the stages are linear.
    const pos = this.op.start(m.pos);
    const neg = this.op.start(m.neg);
    const whenPos = this.transposeSum(pos, this.kernelPos, neg, this.kernelNeg);
    const whenNeg = this.transposeSum(pos, this.kernelNeg, neg, this.kernelPos);
    // [Δx>0]·whenPos + [Δx<0]·whenNeg + [Δx=0]·½(whenPos + whenNeg) = whenNeg + (whenPos − whenNeg)·w
    // with w = ½(sign(Δx) + 1) ∈ {0, ½, 1}.
    const w = tf.mul(0.5, tf.add(tf.sign(dx), 1));
    const inc = tf.add(whenNeg, tf.mul(tf.sub(whenPos, whenNeg), w));
    return [{ pos: inc, neg: inc }];
  }

  dispose(): void {
    if (this.ownsKernel) this.kernel.dispose();
    this.kernelPos.dispose();
    this.kernelNeg.dispose();
    for (const p of this.prepared.values()) p?.dispose();
  }
}

/**
 * A dilated kernel as the equivalent undilated one: taps spread `rate`
 * apart with zeros between, [(kh − 1)·dh + 1, (kw − 1)·dw + 1, a, b]. A
 * convolution with it equals the dilated convolution (TF's 'same' padding
 * uses this effective size too). Returns a new tensor.
 */
export function dilateKernel(kernel: tf.Tensor4D, rate: [number, number]): tf.Tensor4D {
  const [kh, kw, a, b] = kernel.shape;
  const [dh, dw] = rate;
  const eh = (kh - 1) * dh + 1;
  const ew = (kw - 1) * dw + 1;
  const zero = kh * kw * a * b;
  const index = new Int32Array(eh * ew * a * b).fill(zero);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < a * b; i++) {
    index[((y * dh) * ew + x * dw) * a * b + i] = (y * kw + x) * a * b + i;
  }
  return tf.tidy(() => tf.reshape(
    tf.gather(tf.concat([tf.reshape(kernel, [-1]), tf.zeros([1])]), tf.tensor1d(index, 'int32')),
    [eh, ew, a, b]) as tf.Tensor4D);
}
