/**
 * Gaussian blur of a grayscale image, for the "blurred input" DeepLIFT
 * reference (a reference that keeps the rough mass of the digit but none of
 * its edges; Shrikumar et al. 2017, §3.2 on choosing a reference).
 *
 * Separable, with normalised convolution at the borders: each output is the
 * weighted mean of the pixels that exist, so a constant image stays constant
 * and no dark frame is pulled in from outside. Pure TypeScript.
 */

/** Normalised 1-D Gaussian taps for `sigma` (radius ⌈3σ⌉). */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) return new Float32Array([1]);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const taps = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    taps[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < taps.length; i++) taps[i]! /= sum;
  return taps;
}

function blurAxis(src: Float32Array, width: number, height: number, taps: Float32Array, horizontal: boolean): Float32Array {
  const out = new Float32Array(src.length);
  const radius = (taps.length - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let weight = 0;
      for (let k = -radius; k <= radius; k++) {
        const xx = horizontal ? x + k : x;
        const yy = horizontal ? y : y + k;
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
        const w = taps[k + radius]!;
        sum += w * src[yy * width + xx]!;
        weight += w;
      }
      out[y * width + x] = sum / weight;
    }
  }
  return out;
}

/**
 * Gaussian blur with standard deviation `sigma` pixels of a row-major
 * grayscale image. Returns a new array; `sigma` ≤ 0 returns a copy.
 */
export function gaussianBlur(pixels: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (pixels.length !== width * height) throw new RangeError(`gaussianBlur: ${pixels.length} values for ${width}×${height}`);
  if (!(sigma > 0)) return pixels.slice();
  const taps = gaussianKernel(sigma);
  return blurAxis(blurAxis(pixels, width, height, taps, true), width, height, taps, false);
}
