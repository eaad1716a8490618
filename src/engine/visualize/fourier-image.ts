/**
 * The image parametrised in a Fourier basis (Olah, Mordvintsev & Schubert,
 * "Feature Visualization", Distill 2017, section "The Enemy of Feature
 * Visualization" → preconditioning; Mordvintsev et al., "Differentiable Image
 * Parameterizations", Distill 2018). The optimised variables are the real and
 * imaginary parts of a half-plane spectrum (as numpy's rfft2 keeps), each
 * frequency scaled by 1/f^decay so every frequency band starts with similar
 * energy in the image and steepest ascent in this basis favours low
 * frequencies (the natural-image 1/f spectrum) instead of pixel noise.
 *
 * The inverse transform is written as two real matrix products (inverse DFT
 * along rows as a complex product split into real blocks, then a real inverse
 * DFT along columns), not with tf.spectral ops: tfjs 4.22 has no FFT kernels
 * on WASM and matMul has gradients on every backend (WebGPU, WebGL, WASM, CPU).
 */
import * as tf from '@tensorflow/tfjs';

/** Number of kept columns of a real spectrum of width `width` (rfft's w/2 + 1). */
export function halfWidth(width: number): number {
  return Math.floor(width / 2) + 1;
}

/** Signed frequency (cycles per pixel) of DFT index k of n (numpy's fftfreq). */
export function fftFrequency(k: number, n: number): number {
  return (k < Math.ceil(n / 2) ? k : k - n) / n;
}

/**
 * Per-coefficient scale 1/max(f, 1/max(h, w))^decay · √(h·w), laid out
 * [h, 3·wf] like the spectrum parameters (row u, then colour c, then column v).
 * The floor 1/max(h, w) keeps the DC term finite.
 */
export function spectrumScale(height: number, width: number, decay: number): Float32Array {
  const wf = halfWidth(width);
  const floor = 1 / Math.max(height, width);
  const out = new Float32Array(height * 3 * wf);
  for (let u = 0; u < height; u++) {
    const fy = fftFrequency(u, height);
    for (let v = 0; v < wf; v++) {
      const fx = v / width;
      const f = Math.max(Math.hypot(fx, fy), floor);
      const s = Math.sqrt(height * width) / Math.pow(f, decay);
      for (let c = 0; c < 3; c++) out[(u * 3 + c) * wf + v] = s;
    }
  }
  return out;
}

/** The constant matrices of one image size; dispose() when done. */
export interface FourierBasis {
  readonly height: number;
  readonly width: number;
  /** [2h, 3·wf]: scale of [re; im] parameters. */
  readonly scale: tf.Tensor2D;
  /** [2h, 2h]: [[C, −S], [S, C]] with C[y,u] = cos 2πuy/h, S = sin: complex inverse DFT along rows. */
  readonly rows: tf.Tensor2D;
  /** [2·wf, w]: [[w_v cos 2πvx/w], [−w_v sin 2πvx/w]] / (h·w): real inverse DFT along columns. */
  readonly cols: tf.Tensor2D;
  dispose(): void;
}

/** Builds the basis for an h×w image with 1/f^decay scaling. The caller owns it. */
export function fourierBasis(height: number, width: number, decay: number): FourierBasis {
  const wf = halfWidth(width);
  const h2 = 2 * height;
  const rows = new Float32Array(h2 * h2);
  for (let y = 0; y < height; y++) {
    for (let u = 0; u < height; u++) {
      const a = (2 * Math.PI * u * y) / height;
      const c = Math.cos(a);
      const s = Math.sin(a);
      rows[y * h2 + u] = c;
      rows[y * h2 + height + u] = -s;
      rows[(height + y) * h2 + u] = s;
      rows[(height + y) * h2 + height + u] = c;
    }
  }
  const cols = new Float32Array(2 * wf * width);
  const norm = 1 / (height * width);
  for (let v = 0; v < wf; v++) {
    // Conjugate symmetry: columns other than DC and (for even w) Nyquist stand for two.
    const weight = v === 0 || (width % 2 === 0 && v === width / 2) ? 1 : 2;
    for (let x = 0; x < width; x++) {
      const a = (2 * Math.PI * v * x) / width;
      cols[v * width + x] = weight * Math.cos(a) * norm;
      cols[(wf + v) * width + x] = -weight * Math.sin(a) * norm;
    }
  }
  const scaleHalf = spectrumScale(height, width, decay);
  const scale = new Float32Array(2 * scaleHalf.length);
  scale.set(scaleHalf, 0);
  scale.set(scaleHalf, scaleHalf.length);
  const basis = {
    height,
    width,
    scale: tf.tensor2d(scale, [h2, 3 * wf]),
    rows: tf.tensor2d(rows, [h2, h2]),
    cols: tf.tensor2d(cols, [2 * wf, width]),
    dispose(): void {
      basis.scale.dispose();
      basis.rows.dispose();
      basis.cols.dispose();
    },
  };
  return basis;
}

/**
 * Seeded initial spectrum parameters, [2h, 3·wf] ([real; imaginary]),
 * normal with standard deviation `std`. The caller owns the tensor.
 */
export function initialSpectrum(basis: FourierBasis, seed: number, std = 0.01): tf.Tensor2D {
  return tf.randomNormal([2 * basis.height, 3 * halfWidth(basis.width)], 0, std, 'float32', seed) as tf.Tensor2D;
}

/**
 * Spectrum parameters [2h, 3·wf] → image [h, w, 3] (unbounded, before the
 * colour transform): the inverse real 2-D DFT of scale·(re + i·im).
 * Differentiable; does not dispose its input; the caller owns the result.
 */
export function spectrumToImage(params: tf.Tensor2D, basis: FourierBasis): tf.Tensor3D {
  return tf.tidy(() => {
    const { height: h, width: w } = basis;
    const wf = halfWidth(w);
    const z = tf.matMul(basis.rows, tf.mul(params, basis.scale)); // [2h, 3wf]: [Re Z; Im Z]
    const re = tf.reshape(tf.slice(z, [0, 0], [h, 3 * wf]), [h * 3, wf]);
    const im = tf.reshape(tf.slice(z, [h, 0], [h, 3 * wf]), [h * 3, wf]);
    const img = tf.matMul(tf.concat([re, im], 1), basis.cols); // [3h, w]
    return tf.transpose(tf.reshape(img, [h, 3, w]), [0, 2, 1]) as tf.Tensor3D;
  });
}
