/**
 * A deliberately naive float64 DeepLIFT on graphs (DAGs), for tests: no
 * tfjs ops, every linear layer written out as an explicit list of
 * (output, input, weight) entries built from the layer's configuration by
 * first principles (TF padding arithmetic, dilation, depthwise channel
 * order, ...), and the reference code's equations applied literally
 * (kundajelab/deeplift: layers/core.py `Dense`, convolutional.py `Conv2D`,
 * pooling.py `AvgPool2D`/`MaxPool2D`, normalization.py
 * `BatchNormalization`, activations.py `Activation`, helper_functions.py
 * `pseudocount_near_zero`):
 * - 'weighted' nodes (Dense, Conv2D, DepthwiseConv2D, the two halves of
 *   SeparableConv2D): Δy± from the sign split of wᵢΔxᵢ of the input's Δ, and
 *   the backward with the three masks [Δx>0], [Δx<0], [Δx=0];
 * - 'passthrough' nodes (pooling, padding, cropping, upsampling, permute,
 *   reshape, concat, add, average, subtract, rescaling, batch norm): the
 *   input's own Δ⁺/Δ⁻ go through the positive weights unchanged and swap
 *   through negative ones (batch norm's [γ<0] branch; Subtract's −1), and
 *   m⁺/m⁻ go back the same way;
 * - 'activation' nodes: Rescale with its 10⁻⁷ fallback f′(y₀), RevealCancel
 *   with its pseudocounts;
 * - 'maxpool' nodes: the reference's gradient mode (each window's m⁺ and m⁻
 *   to the first maximum of x in row-major window order; Δy± = 0).
 * All tensors are flattened NHWC of one image.
 */
import * as tf from '@tensorflow/tfjs';

const T = 1e-7;

interface Entries { out: number[]; inp: number[]; w: number[] }

type NaiveNode =
  | { kind: 'input'; size: number }
  | { kind: 'weighted' | 'passthrough'; inputs: number[]; size: number; e: Entries; bias: Float64Array }
  | { kind: 'activation'; inputs: [number]; size: number; f: (v: number, i: number) => number; df: (v: number, i: number) => number }
  | { kind: 'maxpool'; inputs: [number]; size: number; windows: number[][] };

export interface NaiveGraph { nodes: NaiveNode[]; target: number; input: number }

// ---------- float64 activations ----------

function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x * x / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc by its continued fraction (Lentz), for |x| ≥ 2.5.
  let f = a; let c = a; let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = a + an * d; d = 1 / d;
    c = a + an / c;
    f *= c * d;
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const SELU_A = 1.6732632423543772848170429916717;
const SELU_S = 1.0507009873554804934193349852946;

type Act = { f: (v: number, i: number) => number; df: (v: number, i: number) => number };

function kerasReluAct(max: number, slope: number, th: number): Act {
  return {
    f: (v) => (v >= max ? max : v >= th ? v : slope * (v - th)),
    df: (v) => (v >= max ? 0 : v > th ? 1 : slope),
  };
}

function namedAct(name: string): Act | null {
  switch (name.toLowerCase().replace(/_/g, '')) {
    case 'linear': return null;
    case 'relu': return { f: (v) => Math.max(v, 0), df: (v) => (v > 0 ? 1 : 0) };
    case 'relu6': return { f: (v) => Math.min(Math.max(v, 0), 6), df: (v) => (v > 0 && v < 6 ? 1 : 0) };
    case 'sigmoid': return { f: sig, df: (v) => sig(v) * (1 - sig(v)) };
    case 'tanh': return { f: Math.tanh, df: (v) => 1 - Math.tanh(v) ** 2 };
    case 'elu': return { f: (v) => (v > 0 ? v : Math.exp(v) - 1), df: (v) => (v > 0 ? 1 : Math.exp(v)) };
    case 'selu': return { f: (v) => SELU_S * (v > 0 ? v : SELU_A * (Math.exp(v) - 1)), df: (v) => SELU_S * (v > 0 ? 1 : SELU_A * Math.exp(v)) };
    case 'softplus': return { f: (v) => Math.log1p(Math.exp(v)), df: sig };
    case 'softsign': return { f: (v) => v / (1 + Math.abs(v)), df: (v) => 1 / (1 + Math.abs(v)) ** 2 };
    case 'swish': case 'silu': return { f: (v) => v * sig(v), df: (v) => sig(v) + v * sig(v) * (1 - sig(v)) };
    case 'gelu': return {
      f: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
      df: (v) => 0.5 * (1 + erf(v / Math.SQRT2)) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI),
    };
    case 'mish': return {
      f: (v) => v * Math.tanh(Math.log1p(Math.exp(v))),
      df: (v) => { const t = Math.tanh(Math.log1p(Math.exp(v))); return t + v * (1 - t * t) * sig(v); },
    };
    case 'hardsigmoid': return { f: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)), df: (v) => (v > -2.5 && v < 2.5 ? 0.2 : 0) };
    case 'exponential': return { f: Math.exp, df: Math.exp };
    default: throw new Error(`naive: activation ${name}`);
  }
}

// ---------- geometry ----------

/** TF's output length and leading padding (effective kernel k). */
function geometry(inLen: number, k: number, s: number, padding: string): { out: number; before: number } {
  if (padding === 'valid') return { out: Math.floor((inLen - k) / s) + 1, before: 0 };
  const out = Math.ceil(inLen / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + k - inLen, 0) / 2) };
}

const pairOf = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number]);

/** Kernel taps of a 2-D conv/pool: calls visit(oy, ox, iy, ix, ky, kx) for every in-bounds tap. */
function windows(
  inH: number, inW: number, kh: number, kw: number, s: [number, number], d: [number, number], padding: string,
  visit: (oy: number, ox: number, iy: number, ix: number, ky: number, kx: number) => void,
): void {
  const gh = geometry(inH, (kh - 1) * d[0] + 1, s[0], padding);
  const gw = geometry(inW, (kw - 1) * d[1] + 1, s[1], padding);
  for (let oy = 0; oy < gh.out; oy++) for (let ox = 0; ox < gw.out; ox++) {
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * s[0] + ky * d[0] - gh.before;
      const ix = ox * s[1] + kx * d[1] - gw.before;
      if (iy >= 0 && ix >= 0 && iy < inH && ix < inW) visit(oy, ox, iy, ix, ky, kx);
    }
  }
}

function entries(): Entries { return { out: [], inp: [], w: [] }; }
function put(e: Entries, o: number, i: number, w: number): void { e.out.push(o); e.inp.push(i); e.w.push(w); }

// ---------- conversion ----------

type AnyLayer = tf.layers.Layer & Record<string, unknown>;
interface Sym { sourceLayer: AnyLayer; nodeIndex: number; shape: (number | null)[] }

const f64 = (t: tf.Tensor) => Float64Array.from(t.dataSync());
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Converts a tfjs LayersModel into the naive graph; the target is the layer before the final activation. */
export function toNaiveGraph(model: tf.LayersModel): NaiveGraph {
  const nodes: NaiveNode[] = [];
  const memo = new Map<string, number>();
  let input = -1;
  const push = (n: NaiveNode) => nodes.push(n) - 1;
  const activation = (a: Act | null, x: number, size: number, isOutput: boolean) =>
    (a === null || isOutput ? x : push({ kind: 'activation', inputs: [x], size, ...a }));

  const visit = (t: Sym, isOutput: boolean): number => {
    const layer = t.sourceLayer;
    const key = `${layer.name}#${t.nodeIndex}`;
    const seen = memo.get(key);
    if (seen !== undefined) return seen;
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const outShape = t.shape.slice(1) as number[];
    const size = prod(outShape);
    if (cls === 'InputLayer') {
      input = push({ kind: 'input', size });
      memo.set(key, input);
      return input;
    }
    const inbound = (layer.inboundNodes[t.nodeIndex] as unknown as { inputTensors: Sym[] }).inputTensors;
    const ins = inbound.map((s) => visit(s, false));
    const inShape = inbound[0].shape.slice(1) as number[];
    const w = (name: string) => { const v = layer[name] as { read(): tf.Tensor } | null; return v ? f64(v.read()) : null; };
    // A per-channel bias (last axis) is repeated over the positions.
    const linear = (kind: 'weighted' | 'passthrough', e: Entries, bias?: Float64Array | null, inputs = ins, n = size) =>
      push({ kind, inputs, size: n, e, bias: bias ? Float64Array.from({ length: n }, (_, i) => bias[i % bias.length]) : new Float64Array(n) });
    const fused = (x: number) => (isOutput ? x : activation(namedAct(String(cfg.activation ?? 'linear')), x, size, false));
    let out: number;
    switch (cls) {
      case 'Dense': {
        const k = w('kernel') as Float64Array;
        const n = inShape[0];
        const e = entries();
        for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) put(e, j, i, k[i * size + j]);
        out = fused(linear('weighted', e, w('bias')));
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'SeparableConv2D': {
        const [inH, inW, cin] = inShape;
        const s = pairOf(cfg.strides);
        const d = pairOf(cfg.dilationRate ?? 1);
        const [kh, kw] = pairOf(cfg.kernelSize);
        const pad = String(cfg.padding);
        if (cls === 'Conv2D') {
          const k = w('kernel') as Float64Array;
          const cout = outShape[2];
          const outW = geometry(inW, (kw - 1) * d[1] + 1, s[1], pad).out;
          const e = entries();
          windows(inH, inW, kh, kw, s, d, pad, (oy, ox, iy, ix, ky, kx) => {
            for (let co = 0; co < cout; co++) for (let ci = 0; ci < cin; ci++) {
              put(e, (oy * outW + ox) * cout + co, (iy * inW + ix) * cin + ci, k[((ky * kw + kx) * cin + ci) * cout + co]);
            }
          });
          out = fused(linear('weighted', e, w('bias')));
        } else {
          const k = w('depthwiseKernel') as Float64Array;
          const mult = (layer.depthwiseKernel as { read(): tf.Tensor }).read().shape[3] as number;
          const outW = geometry(inW, (kw - 1) * d[1] + 1, s[1], pad).out;
          const outH = geometry(inH, (kh - 1) * d[0] + 1, s[0], pad).out;
          const mid = cin * mult;
          const e = entries();
          windows(inH, inW, kh, kw, s, d, pad, (oy, ox, iy, ix, ky, kx) => {
            for (let ci = 0; ci < cin; ci++) for (let j = 0; j < mult; j++) {
              put(e, (oy * outW + ox) * mid + ci * mult + j, (iy * inW + ix) * cin + ci, k[((ky * kw + kx) * cin + ci) * mult + j]);
            }
          });
          if (cls === 'DepthwiseConv2D') {
            out = fused(linear('weighted', e, w('bias')));
          } else {
            const dw = linear('weighted', e, null, ins, outH * outW * mid);
            const p = w('pointwiseKernel') as Float64Array;
            const cout = outShape[2];
            const pe = entries();
            for (let q = 0; q < outH * outW; q++) for (let co = 0; co < cout; co++) for (let ci = 0; ci < mid; ci++) {
              put(pe, q * cout + co, q * mid + ci, p[ci * cout + co]);
            }
            out = fused(linear('weighted', pe, w('bias'), [dw]));
          }
        }
        break;
      }
      case 'BatchNormalization': {
        const c = outShape[outShape.length - 1];
        const gamma = w('gamma') ?? new Float64Array(c).fill(1);
        const beta = w('beta') ?? new Float64Array(c);
        const mean = w('movingMean') as Float64Array;
        const variance = w('movingVariance') as Float64Array;
        const eps = cfg.epsilon as number;
        const e = entries();
        const bias = new Float64Array(size);
        for (let i = 0; i < size; i++) {
          const ch = i % c;
          const scale = gamma[ch] / Math.sqrt(variance[ch] + eps);
          put(e, i, i, scale);
          bias[i] = beta[ch] - mean[ch] * scale;
        }
        out = linear('passthrough', e, bias);
        break;
      }
      case 'Rescaling': {
        const e = entries();
        const bias = new Float64Array(size).fill(Number(cfg.offset ?? 0));
        for (let i = 0; i < size; i++) put(e, i, i, Number(cfg.scale));
        out = linear('passthrough', e, bias);
        break;
      }
      case 'Activation':
        out = activation(String(cfg.activation) === 'softmax' ? null : namedAct(String(cfg.activation)), ins[0], size, isOutput);
        break;
      case 'Softmax':
        if (!isOutput) throw new Error('naive: inner softmax');
        out = ins[0];
        break;
      case 'ReLU':
        out = activation(kerasReluAct((cfg.maxValue as number | null) ?? Infinity, Number(cfg.negativeSlope ?? 0), Number(cfg.threshold ?? 0)), ins[0], size, isOutput);
        break;
      case 'LeakyReLU': {
        const a = cfg.alpha as number;
        out = activation({ f: (v) => (v > 0 ? v : a * v), df: (v) => (v > 0 ? 1 : a) }, ins[0], size, isOutput);
        break;
      }
      case 'ELU': {
        const a = cfg.alpha as number;
        out = activation({ f: (v) => (v > 0 ? v : a * (Math.exp(v) - 1)), df: (v) => (v > 0 ? 1 : a * Math.exp(v)) }, ins[0], size, isOutput);
        break;
      }
      case 'ThresholdedReLU': {
        const th = Number(cfg.theta ?? 1);
        out = activation({ f: (v) => (v > th ? v : 0), df: (v) => (v > th ? 1 : 0) }, ins[0], size, isOutput);
        break;
      }
      case 'PReLU': {
        // α has the input's shape with shared axes of length 1: broadcast by index.
        const alphaT = (layer.alpha as { read(): tf.Tensor }).read();
        const alpha = f64(alphaT);
        const ashape = alphaT.shape;
        const idx = (i: number) => {
          let rem = i; let ai = 0; let stride = 1; let astride = 1;
          const coords: number[] = [];
          for (let dd = outShape.length - 1; dd >= 0; dd--) { coords[dd] = rem % outShape[dd]; rem = Math.floor(rem / outShape[dd]); }
          for (let dd = outShape.length - 1; dd >= 0; dd--) {
            ai += (ashape[dd] === 1 ? 0 : coords[dd]) * astride;
            astride *= ashape[dd]; stride *= outShape[dd];
          }
          return ai;
        };
        out = activation({ f: (v, i) => (v > 0 ? v : alpha[idx(i)] * v), df: (v, i) => (v > 0 ? 1 : alpha[idx(i)]) }, ins[0], size, isOutput);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D':
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        const [inH, inW, c] = inShape;
        const global = cls.startsWith('Global');
        const [kh, kw] = global ? [inH, inW] : pairOf(cfg.poolSize);
        const s = global ? [inH, inW] as [number, number] : pairOf(cfg.strides ?? cfg.poolSize);
        const pad = global ? 'valid' : String(cfg.padding);
        const outW = geometry(inW, kw, s[1], pad).out;
        const wins = new Map<number, number[]>();
        windows(inH, inW, kh, kw, s, [1, 1], pad, (oy, ox, iy, ix) => {
          for (let ch = 0; ch < c; ch++) {
            const o = (oy * outW + ox) * c + ch;
            if (!wins.has(o)) wins.set(o, []);
            (wins.get(o) as number[]).push((iy * inW + ix) * c + ch);
          }
        });
        const list = Array.from({ length: size }, (_, o) => wins.get(o) as number[]);
        if (cls.includes('Max')) {
          out = push({ kind: 'maxpool', inputs: [ins[0]], size, windows: list });
        } else {
          const e = entries();
          list.forEach((win, o) => win.forEach((i) => put(e, o, i, 1 / win.length)));
          out = linear('passthrough', e);
        }
        break;
      }
      case 'ZeroPadding2D':
      case 'Cropping2D': {
        const [[t0], [l0]] = (cls === 'ZeroPadding2D' ? cfg.padding : cfg.cropping) as number[][];
        const sign = cls === 'ZeroPadding2D' ? 1 : -1;
        const [oh, ow, c] = outShape;
        const [ih, iw] = inShape;
        const e = entries();
        for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
          const iy = y - sign * t0;
          const ix = x - sign * l0;
          if (iy < 0 || ix < 0 || iy >= ih || ix >= iw) continue;
          for (let ch = 0; ch < c; ch++) put(e, (y * ow + x) * c + ch, (iy * iw + ix) * c + ch, 1);
        }
        out = linear('passthrough', e);
        break;
      }
      case 'UpSampling2D': {
        const [oh, ow, c] = outShape;
        const [ih, iw] = inShape;
        const e = entries();
        const bilinear = cfg.interpolation === 'bilinear';
        for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
          // tfjs' resize without align-corners or half-pixel centres: source = dst·(in/out).
          const sy = y * ih / oh; const sx = x * iw / ow;
          const taps: Array<[number, number, number]> = bilinear
            ? (() => {
              const y0 = Math.floor(sy); const x0 = Math.floor(sx);
              const y1 = Math.min(y0 + 1, ih - 1); const x1 = Math.min(x0 + 1, iw - 1);
              const fy = sy - y0; const fx = sx - x0;
              return [[y0, x0, (1 - fy) * (1 - fx)], [y0, x1, (1 - fy) * fx], [y1, x0, fy * (1 - fx)], [y1, x1, fy * fx]];
            })()
            : [[Math.min(Math.floor(sy), ih - 1), Math.min(Math.floor(sx), iw - 1), 1]];
          for (const [ty, tx, wt] of taps) for (let ch = 0; ch < c; ch++) put(e, (y * ow + x) * c + ch, (ty * iw + tx) * c + ch, wt);
        }
        out = linear('passthrough', e);
        break;
      }
      case 'Permute': {
        const dims = cfg.dims as number[];
        const e = entries();
        const inStrides = inShape.map((_, i) => prod(inShape.slice(i + 1)));
        for (let o = 0; o < size; o++) {
          let rem = o; const coords: number[] = [];
          for (let dd = outShape.length - 1; dd >= 0; dd--) { coords[dd] = rem % outShape[dd]; rem = Math.floor(rem / outShape[dd]); }
          let i = 0;
          coords.forEach((v, dd) => { i += v * inStrides[dims[dd] - 1]; });
          put(e, o, i, 1);
        }
        out = linear('passthrough', e);
        break;
      }
      case 'Flatten': case 'Reshape': case 'Dropout': case 'SpatialDropout2D': case 'GaussianNoise': {
        const e = entries();
        for (let i = 0; i < size; i++) put(e, i, i, 1);
        out = linear('passthrough', e);
        break;
      }
      case 'Add': case 'Average': case 'Subtract': case 'Concatenate': {
        const e = entries();
        const sizes = inbound.map((s) => prod(s.shape.slice(1) as number[]));
        const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
        if (cls === 'Concatenate') {
          const rank = outShape.length + 1;
          const axis = ((cfg.axis as number) + rank) % rank;
          const inner = prod(outShape.slice(axis - 1));
          const outer = size / inner;
          let pos = 0;
          inbound.forEach((s, k) => {
            const part = prod((s.shape.slice(1) as number[]).slice(axis - 1));
            for (let a = 0; a < outer; a++) for (let b = 0; b < part; b++) put(e, a * inner + pos + b, offsets[k] + a * part + b, 1);
            pos += part;
          });
        } else {
          ins.forEach((_, k) => {
            const wt = cls === 'Average' ? 1 / ins.length : cls === 'Subtract' && k === 1 ? -1 : 1;
            for (let i = 0; i < size; i++) put(e, i, offsets[k] + i, wt);
          });
        }
        out = linear('passthrough', e);
        break;
      }
      default:
        throw new Error(`naive: ${cls}`);
    }
    memo.set(key, out);
    return out;
  };
  const target = visit(model.outputs[0] as unknown as Sym, true);
  return { nodes, target, input };
}

// ---------- DeepLIFT ----------

const pc = (t: number) => t + (Math.abs(t) < 0.5 * T && t >= 0 ? T : 0) - (Math.abs(t) < 0.5 * T && t < 0 ? T : 0);

/**
 * Contributions of the input to seed·(target layer), as the reference code
 * computes them, in float64.
 */
export function naiveGraphDeepLift(
  g: NaiveGraph, x: Float64Array, x0: Float64Array, seed: Float64Array, rule: 'rescale' | 'revealcancel',
): { contribs: Float64Array; logits: Float64Array; refLogits: Float64Array } {
  const n = g.nodes.length;
  const act: Float64Array[] = []; const ref: Float64Array[] = [];
  const pos: Float64Array[] = []; const neg: Float64Array[] = [];
  const cat = (arrs: Float64Array[], ids: number[]) => {
    const out = new Float64Array(ids.reduce((a, i) => a + arrs[i].length, 0));
    let o = 0;
    for (const i of ids) { out.set(arrs[i], o); o += arrs[i].length; }
    return out;
  };
  for (let k = 0; k < n; k++) {
    const node = g.nodes[k];
    if (node.kind === 'input') {
      act[k] = x; ref[k] = x0;
      pos[k] = x.map((v, i) => Math.max(v - x0[i], 0));
      neg[k] = x.map((v, i) => Math.min(v - x0[i], 0));
      continue;
    }
    if (node.kind === 'weighted' || node.kind === 'passthrough') {
      const a = cat(act, node.inputs); const r = cat(ref, node.inputs);
      const ya = Float64Array.from(node.bias); const yr = Float64Array.from(node.bias);
      const yp = new Float64Array(node.size); const yn = new Float64Array(node.size);
      const ip = node.kind === 'weighted' ? a.map((v, i) => Math.max(v - r[i], 0)) : cat(pos, node.inputs);
      const inn = node.kind === 'weighted' ? a.map((v, i) => Math.min(v - r[i], 0)) : cat(neg, node.inputs);
      const { out, inp, w } = node.e;
      for (let q = 0; q < w.length; q++) {
        const o = out[q]; const i = inp[q]; const wt = w[q];
        ya[o] += wt * a[i]; yr[o] += wt * r[i];
        if (wt > 0) { yp[o] += wt * ip[i]; yn[o] += wt * inn[i]; } else if (wt < 0) { yp[o] += wt * inn[i]; yn[o] += wt * ip[i]; }
      }
      act[k] = ya; ref[k] = yr; pos[k] = yp; neg[k] = yn;
    } else if (node.kind === 'activation') {
      const j = node.inputs[0];
      act[k] = act[j].map((v, i) => node.f(v, i));
      ref[k] = ref[j].map((v, i) => node.f(v, i));
      if (rule === 'revealcancel') {
        pos[k] = ref[j].map((r0, i) => {
          const p = pc(pos[j][i]); const q = pc(neg[j][i]);
          return 0.5 * ((node.f(r0 + p, i) - node.f(r0, i)) + (node.f(r0 + q + p, i) - node.f(r0 + q, i)));
        });
        neg[k] = ref[j].map((r0, i) => {
          const p = pc(pos[j][i]); const q = pc(neg[j][i]);
          return 0.5 * ((node.f(r0 + q, i) - node.f(r0, i)) + (node.f(r0 + p + q, i) - node.f(r0 + p, i)));
        });
      } else {
        const s = rescale(node, act, ref, j, k);
        pos[k] = pos[j].map((v, i) => v * s[i]);
        neg[k] = neg[j].map((v, i) => v * s[i]);
      }
    } else if (node.kind === 'maxpool') {
      const j = node.inputs[0];
      act[k] = Float64Array.from(node.windows, (win) => Math.max(...win.map((i) => act[j][i])));
      ref[k] = Float64Array.from(node.windows, (win) => Math.max(...win.map((i) => ref[j][i])));
      pos[k] = new Float64Array(node.size); neg[k] = new Float64Array(node.size);
    }
  }
  const mPos: (Float64Array | undefined)[] = new Array(n);
  const mNeg: (Float64Array | undefined)[] = new Array(n);
  mPos[g.target] = Float64Array.from(seed); mNeg[g.target] = Float64Array.from(seed);
  const acc = (arr: (Float64Array | undefined)[], k: number, i: number, v: number) => {
    if (!arr[k]) arr[k] = new Float64Array(g.nodes[k].size);
    (arr[k] as Float64Array)[i] += v;
  };
  for (let k = g.target; k >= 0; k--) {
    const node = g.nodes[k];
    const mp = mPos[k]; const mn = mNeg[k];
    if (!mp || !mn || node.kind === 'input') continue;
    if (node.kind === 'weighted' || node.kind === 'passthrough') {
      // Map concatenated input index → (node, local index).
      const owner: Array<[number, number]> = [];
      for (const j of node.inputs) for (let i = 0; i < g.nodes[j].size; i++) owner.push([j, i]);
      const { out, inp, w } = node.e;
      if (node.kind === 'passthrough') {
        for (let q = 0; q < w.length; q++) {
          const [j, i] = owner[inp[q]]; const o = out[q]; const wt = w[q];
          acc(mPos, j, i, wt > 0 ? wt * mp[o] : wt * mn[o]);
          acc(mNeg, j, i, wt > 0 ? wt * mn[o] : wt * mp[o]);
        }
      } else {
        const inSize = owner.length;
        const whenPos = new Float64Array(inSize); const whenNeg = new Float64Array(inSize); const whenZero = new Float64Array(inSize);
        for (let q = 0; q < w.length; q++) {
          const o = out[q]; const i = inp[q]; const wt = w[q];
          const wp = wt > 0 ? wt : 0; const wn = wt < 0 ? wt : 0;
          whenPos[i] += wp * mp[o] + wn * mn[o];
          whenNeg[i] += wn * mp[o] + wp * mn[o];
          whenZero[i] += wt * 0.5 * (mp[o] + mn[o]);
        }
        const r = cat(ref, node.inputs);
        const d = cat(act, node.inputs).map((v, i) => v - r[i]);
        for (let i = 0; i < inSize; i++) {
          const [j, li] = owner[i];
          const inc = d[i] > 0 ? whenPos[i] : d[i] < 0 ? whenNeg[i] : whenZero[i];
          acc(mPos, j, li, inc); acc(mNeg, j, li, inc);
        }
      }
    } else if (node.kind === 'activation') {
      const j = node.inputs[0];
      if (rule === 'revealcancel') {
        for (let i = 0; i < node.size; i++) {
          acc(mPos, j, i, mp[i] * pos[k][i] / pc(pos[j][i]));
          acc(mNeg, j, i, mn[i] * neg[k][i] / pc(neg[j][i]));
        }
      } else {
        const s = rescale(node, act, ref, j, k);
        for (let i = 0; i < node.size; i++) { acc(mPos, j, i, mp[i] * s[i]); acc(mNeg, j, i, mn[i] * s[i]); }
      }
    } else if (node.kind === 'maxpool') {
      const j = node.inputs[0];
      node.windows.forEach((win, o) => {
        let best = win[0];
        for (const i of win) if (act[j][i] > act[j][best]) best = i;
        acc(mPos, j, best, mp[o]); acc(mNeg, j, best, mn[o]);
      });
    }
  }
  const inp = g.input;
  const mp = mPos[inp] ?? new Float64Array(x.length); const mn = mNeg[inp] ?? new Float64Array(x.length);
  const contribs = x.map((_, i) => mp[i] * pos[inp][i] + mn[i] * neg[inp][i]);
  return { contribs, logits: act[g.target], refLogits: ref[g.target] };
}

function rescale(
  node: Extract<NaiveNode, { kind: 'activation' }>, act: Float64Array[], ref: Float64Array[], j: number, k: number,
): Float64Array {
  return act[j].map((v, i) => {
    const dx = v - ref[j][i];
    return Math.abs(dx) < T ? node.df(ref[k][i], i) : (act[k][i] - ref[k][i]) / dx;
  });
}
