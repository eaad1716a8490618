/**
 * A deliberately naive float64 DeepLIFT for tests: plain loops over
 * Float64Arrays, no tfjs, transcribing the reference code's per-layer
 * equations literally (kundajelab/deeplift, deeplift/layers/core.py `Dense`,
 * convolutional.py `Conv2D`, activations.py `Activation` with ReLU,
 * helper_functions.py `pseudocount_near_zero`): every layer keeps its
 * activation, reference, Δ, Δ⁺/Δ⁻ and m⁺/m⁻, the Linear rule's backward
 * uses the three masks [Δx>0], [Δx<0], [Δx=0] and four transposed products,
 * Rescale its 10⁻⁷ fallback at the reference, RevealCancel its pseudocounts.
 * Handles sequential stacks of Conv2D (NHWC, valid/same, strides), Dense,
 * ReLU, Flatten and Dropout, which is what the tests build.
 */
export type NaiveLayer =
  | { type: 'conv'; kernel: Float64Array; bias: Float64Array; kh: number; kw: number; cin: number; cout: number;
      sh: number; sw: number; padding: 'valid' | 'same'; inH: number; inW: number; outH: number; outW: number }
  | { type: 'dense'; kernel: Float64Array; bias: Float64Array; n: number; k: number }
  | { type: 'relu' }
  | { type: 'identity' };

const T = 1e-7;

/** Output size and leading padding of a TF conv along one axis. */
export function convGeometry(inLen: number, k: number, s: number, padding: 'valid' | 'same'): { out: number; before: number } {
  if (padding === 'valid') return { out: Math.floor((inLen - k) / s) + 1, before: 0 };
  const out = Math.ceil(inLen / s);
  const total = Math.max((out - 1) * s + k - inLen, 0);
  return { out, before: Math.floor(total / 2) };
}

type Conv = Extract<NaiveLayer, { type: 'conv' }>;
type Dense = Extract<NaiveLayer, { type: 'dense' }>;

function convApply(l: Conv, x: Float64Array, w: Float64Array): Float64Array {
  const y = new Float64Array(l.outH * l.outW * l.cout);
  const ph = convGeometry(l.inH, l.kh, l.sh, l.padding).before;
  const pw = convGeometry(l.inW, l.kw, l.sw, l.padding).before;
  for (let oy = 0; oy < l.outH; oy++) for (let ox = 0; ox < l.outW; ox++) for (let co = 0; co < l.cout; co++) {
    let s = 0;
    for (let ky = 0; ky < l.kh; ky++) for (let kx = 0; kx < l.kw; kx++) {
      const iy = oy * l.sh + ky - ph;
      const ix = ox * l.sw + kx - pw;
      if (iy < 0 || ix < 0 || iy >= l.inH || ix >= l.inW) continue;
      for (let ci = 0; ci < l.cin; ci++) {
        s += x[(iy * l.inW + ix) * l.cin + ci] * w[((ky * l.kw + kx) * l.cin + ci) * l.cout + co];
      }
    }
    y[(oy * l.outW + ox) * l.cout + co] = s;
  }
  return y;
}

function convTranspose(l: Conv, m: Float64Array, w: Float64Array): Float64Array {
  const g = new Float64Array(l.inH * l.inW * l.cin);
  const ph = convGeometry(l.inH, l.kh, l.sh, l.padding).before;
  const pw = convGeometry(l.inW, l.kw, l.sw, l.padding).before;
  for (let oy = 0; oy < l.outH; oy++) for (let ox = 0; ox < l.outW; ox++) for (let co = 0; co < l.cout; co++) {
    const mv = m[(oy * l.outW + ox) * l.cout + co];
    for (let ky = 0; ky < l.kh; ky++) for (let kx = 0; kx < l.kw; kx++) {
      const iy = oy * l.sh + ky - ph;
      const ix = ox * l.sw + kx - pw;
      if (iy < 0 || ix < 0 || iy >= l.inH || ix >= l.inW) continue;
      for (let ci = 0; ci < l.cin; ci++) {
        g[(iy * l.inW + ix) * l.cin + ci] += mv * w[((ky * l.kw + kx) * l.cin + ci) * l.cout + co];
      }
    }
  }
  return g;
}

function denseApply(l: Dense, x: Float64Array, w: Float64Array): Float64Array {
  const y = new Float64Array(l.k);
  for (let j = 0; j < l.k; j++) { let s = 0; for (let i = 0; i < l.n; i++) s += x[i] * w[i * l.k + j]; y[j] = s; }
  return y;
}

function denseTranspose(l: Dense, m: Float64Array, w: Float64Array): Float64Array {
  const g = new Float64Array(l.n);
  for (let i = 0; i < l.n; i++) { let s = 0; for (let j = 0; j < l.k; j++) s += m[j] * w[i * l.k + j]; g[i] = s; }
  return g;
}

const map = (a: Float64Array, f: (v: number, i: number) => number) => Float64Array.from(a, f);
const add = (a: Float64Array, b: Float64Array) => map(a, (v, i) => v + b[i]);
const relu = (v: number) => (v > 0 ? v : 0);
const pseudocount = (t: number) =>
  t + (Math.abs(t) < 0.5 * T && t >= 0 ? T : 0) - (Math.abs(t) < 0.5 * T && t < 0 ? T : 0);

interface State { act: Float64Array; ref: Float64Array; delta: Float64Array; pos: Float64Array; neg: Float64Array }

/**
 * Contributions of the input to `seed`·(last layer's pre-activation), as
 * the reference code computes them, in float64.
 * @param x, x0 flattened NHWC input and reference
 */
export function naiveDeepLift(
  layers: NaiveLayer[], x: Float64Array, x0: Float64Array, seed: Float64Array, rule: 'rescale' | 'revealcancel',
): { contribs: Float64Array; logits: Float64Array; refLogits: Float64Array } {
  const inDelta = map(x, (v, i) => v - x0[i]);
  const states: State[] = [{
    act: x, ref: x0, delta: inDelta,
    pos: map(inDelta, (d) => (d > 0 ? d : 0)), neg: map(inDelta, (d) => (d < 0 ? d : 0)),
  }];
  const lin = (l: NaiveLayer, v: Float64Array, w: Float64Array) =>
    l.type === 'conv' ? convApply(l, v, w) : denseApply(l as Dense, v, w);
  const linT = (l: NaiveLayer, v: Float64Array, w: Float64Array) =>
    l.type === 'conv' ? convTranspose(l, v, w) : denseTranspose(l as Dense, v, w);
  for (const l of layers) {
    const prev = states[states.length - 1];
    if (l.type === 'conv' || l.type === 'dense') {
      const act = add(lin(l, prev.act, l.kernel), l.type === 'conv'
        ? map(new Float64Array(l.outH * l.outW * l.cout), (_, i) => l.bias[i % l.cout]) : l.bias);
      const ref = add(lin(l, prev.ref, l.kernel), l.type === 'conv'
        ? map(new Float64Array(l.outH * l.outW * l.cout), (_, i) => l.bias[i % l.cout]) : l.bias);
      const wPos = map(l.kernel, (w) => (w > 0 ? w : 0));
      const wNeg = map(l.kernel, (w) => (w < 0 ? w : 0));
      const dPos = map(prev.delta, (d) => (d > 0 ? d : 0));
      const dNeg = map(prev.delta, (d) => (d < 0 ? d : 0));
      states.push({
        act, ref, delta: map(act, (v, i) => v - ref[i]),
        pos: add(lin(l, dPos, wPos), lin(l, dNeg, wNeg)),
        neg: add(lin(l, dPos, wNeg), lin(l, dNeg, wPos)),
      });
    } else if (l.type === 'relu') {
      const act = map(prev.act, relu);
      const ref = map(prev.ref, relu);
      const delta = map(act, (v, i) => v - ref[i]);
      let pos: Float64Array; let neg: Float64Array;
      if (rule === 'revealcancel') {
        const p = map(prev.pos, pseudocount);
        const n = map(prev.neg, pseudocount);
        const r = prev.ref;
        pos = map(r, (r0, i) => 0.5 * ((relu(r0 + p[i]) - relu(r0)) + (relu(r0 + n[i] + p[i]) - relu(r0 + n[i]))));
        neg = map(r, (r0, i) => 0.5 * ((relu(r0 + n[i]) - relu(r0)) + (relu(r0 + p[i] + n[i]) - relu(r0 + p[i]))));
      } else {
        const s = map(prev.delta, (d, i) => (Math.abs(d) < T ? (ref[i] > 0 ? 1 : 0) : delta[i] / d));
        pos = map(prev.pos, (v, i) => v * s[i]);
        neg = map(prev.neg, (v, i) => v * s[i]);
      }
      states.push({ act, ref, delta, pos, neg });
    } else {
      states.push(prev);
    }
  }
  // Backward, from seed on the last layer (pre-activation target).
  let mPos = Float64Array.from(seed);
  let mNeg = Float64Array.from(seed);
  for (let li = layers.length - 1; li >= 0; li--) {
    const l = layers[li];
    const below = states[li];
    const here = states[li + 1];
    if (l.type === 'conv' || l.type === 'dense') {
      const wPos = map(l.kernel, (w) => (w > 0 ? w : 0));
      const wNeg = map(l.kernel, (w) => (w < 0 ? w : 0));
      const whenPos = add(linT(l, mPos, wPos), linT(l, mNeg, wNeg));
      const whenNeg = add(linT(l, mPos, wNeg), linT(l, mNeg, wPos));
      const whenZero = linT(l, map(mPos, (v, i) => 0.5 * (v + mNeg[i])), l.kernel);
      const inc = map(below.delta, (d, i) => (d > 0 ? whenPos[i] : d < 0 ? whenNeg[i] : whenZero[i]));
      mPos = inc;
      mNeg = Float64Array.from(inc);
    } else if (l.type === 'relu') {
      if (rule === 'revealcancel') {
        mPos = map(mPos, (v, i) => v * (here.pos[i] / pseudocount(below.pos[i])));
        mNeg = map(mNeg, (v, i) => v * (here.neg[i] / pseudocount(below.neg[i])));
      } else {
        const s = map(below.delta, (d, i) => (Math.abs(d) < T ? (here.ref[i] > 0 ? 1 : 0) : here.delta[i] / d));
        mPos = map(mPos, (v, i) => v * s[i]);
        mNeg = map(mNeg, (v, i) => v * s[i]);
      }
    }
  }
  const contribs = map(inDelta, (_, i) => mPos[i] * states[0].pos[i] + mNeg[i] * states[0].neg[i]);
  const last = states[states.length - 1];
  return { contribs, logits: last.act, refLogits: last.ref };
}
