/**
 * Dreams at the photo's original size, the way large prints of Deep Dream
 * images are made: the dream's detail (result − the working-size photo it was
 * dreamt from) is upscaled to the original's size and added to the original.
 * This is the octave loop's own step (Mordvintsev, Olah, Tyka 2015; the
 * deepdream notebook's "detail" carried to the next octave) applied once more,
 * without gradient steps at the large size. Plain typed arrays, no tfjs.
 */

/** An RGBA image: rgba.length === width·height·4, values 0..255. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** Source coordinate and weight for each destination index (half-pixel centres, edges clamped). */
function sampleTable(from: number, to: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(to);
  const i1 = new Int32Array(to);
  const f = new Float32Array(to);
  const ratio = from / to;
  for (let d = 0; d < to; d++) {
    const s = Math.min(from - 1, Math.max(0, (d + 0.5) * ratio - 0.5));
    const lo = Math.floor(s);
    i0[d] = lo;
    i1[d] = Math.min(from - 1, lo + 1);
    f[d] = s - lo;
  }
  return { i0, i1, f };
}

/**
 * original + bilinear-upscale(result − base), per RGB channel, rounded and
 * clamped to 0..255; alpha is 255. `base` is the photo at the working size
 * and `result` the dream at that same size. Returns a new RGBA buffer of the
 * original's size; the inputs are not changed.
 */
export function addUpscaledDetail(original: RgbaImage, base: RgbaImage, result: RgbaImage): Uint8ClampedArray<ArrayBuffer> {
  const { width: w, height: h } = base;
  if (result.width !== w || result.height !== h) {
    throw new RangeError(`the dream (${result.width}×${result.height}) and its photo (${w}×${h}) differ in size`);
  }
  for (const [name, img] of [['original', original], ['photo', base], ['dream', result]] as const) {
    if (!(img.width >= 1 && img.height >= 1) || img.rgba.length !== img.width * img.height * 4) {
      throw new RangeError(`the ${name} buffer does not match ${img.width}×${img.height} RGBA`);
    }
  }
  const detail = new Float32Array(w * h * 3);
  for (let p = 0, q = 0; p < w * h * 4; p += 4, q += 3) {
    detail[q] = result.rgba[p]! - base.rgba[p]!;
    detail[q + 1] = result.rgba[p + 1]! - base.rgba[p + 1]!;
    detail[q + 2] = result.rgba[p + 2]! - base.rgba[p + 2]!;
  }
  const W = original.width;
  const H = original.height;
  const xs = sampleTable(w, W);
  const ys = sampleTable(h, H);
  const out = new Uint8ClampedArray(W * H * 4);
  for (let Y = 0; Y < H; Y++) {
    const row0 = ys.i0[Y]! * w;
    const row1 = ys.i1[Y]! * w;
    const fy = ys.f[Y]!;
    for (let X = 0; X < W; X++) {
      const a = (row0 + xs.i0[X]!) * 3;
      const b = (row0 + xs.i1[X]!) * 3;
      const c = (row1 + xs.i0[X]!) * 3;
      const d = (row1 + xs.i1[X]!) * 3;
      const fx = xs.f[X]!;
      const o = (Y * W + X) * 4;
      for (let ch = 0; ch < 3; ch++) {
        const top = detail[a + ch]! + (detail[b + ch]! - detail[a + ch]!) * fx;
        const bottom = detail[c + ch]! + (detail[d + ch]! - detail[c + ch]!) * fx;
        // Uint8ClampedArray rounds half to even and clamps to 0..255.
        out[o + ch] = original.rgba[o + ch]! + top + (bottom - top) * fy;
      }
      out[o + 3] = 255;
    }
  }
  return out;
}
