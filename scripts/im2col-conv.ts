/**
 * Strided 4×4 'valid' convolution written as im2col: slices + concat + one matMul.
 *
 * Why: in tfjs 4.22 the pure-JS CPU backend's Conv2DBackpropFilter/Input are very slow
 * (~19 s forward+backward for the two MNIST conv layers on a batch of 128), and the WASM
 * backend has no Conv2DBackpropFilter kernel at all, so it cannot train a tf.conv2d.
 * The same convolution expressed with reshape, tf.slice, concat and matMul needs only
 * those ops' gradients (slice → pad, concat → slice, matMul → matMul), which both
 * backends have. tf.stridedSlice has no gradient in tfjs 4.22, hence the reshape trick
 * below instead of strided slices.
 *
 * The trick, for stride 2 and kernel 4: kernel row ki = 2·a + p (a, p ∈ {0, 1}) reads
 * input row 2·i + ki = 2·(i + a) + p. Reshaping the input [b, H, W, C] (cropped to
 * 2·(outH + 1) rows and 2·(outW + 1) columns) to [b, outH + 1, 2, (outW + 1)·2·C] turns
 * each (a, p) into a plain contiguous slice along the row-pair and parity axes; the
 * column pairs, column parity q and channels are merged into the last axis, so one
 * contiguous range of it covers kernel columns kj = 2·c + q for both q at once. 4 kernel rows × 2 column pairs = 8 slices, each
 * [b, outH, 1, outW·2·C] → [b, outH, outW, 2·C]; concatenated along channels they are ordered
 * (ki, kj, channel), which is exactly the row order of the Conv2D kernel in its HWIO
 * layout [4, 4, C, F] reshaped to [16·C, F]. The kernel therefore keeps the layout of
 * a standard tf.layers.conv2d and loads into it unchanged.
 */
import * as tf from '@tensorflow/tfjs';

/** Kernel size and stride this im2col form supports (the DeepLIFT MNIST convs). */
export const IM2COL_KERNEL = 4;
export const IM2COL_STRIDE = 2;

/** Output size of a 4×4 stride-2 'valid' convolution along one spatial axis. */
export function convOutputSize(inputSize: number): number {
  return Math.floor((inputSize - IM2COL_KERNEL) / IM2COL_STRIDE) + 1;
}

/**
 * 4×4, stride 2, 'valid' 2-D convolution (no activation) as im2col + matMul.
 * Numerically the same as `tf.conv2d(x, kernel, 2, 'valid') + bias`.
 * @param x      [b, H, W, C] float32, H, W ≥ 4
 * @param kernel [4, 4, C, F] float32, HWIO (the layout of tf.layers.conv2d's kernel)
 * @param bias   optional [F]
 * @returns [b, outH, outW, F], outH = floor((H − 4) / 2) + 1; the caller owns it.
 * Does not dispose its inputs. Differentiable on CPU and WASM.
 */
export function im2colConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const [kh, kw, kc, f] = kernel.shape;
  if (kh !== IM2COL_KERNEL || kw !== IM2COL_KERNEL || kc !== c) {
    throw new Error(`im2colConv2d: kernel ${kernel.shape} does not fit input ${x.shape}`);
  }
  const outH = convOutputSize(h);
  const outW = convOutputSize(w);
  if (outH < 1 || outW < 1) throw new Error(`im2colConv2d: input ${x.shape} smaller than the kernel`);
  return tf.tidy(() => {
    const rows = 2 * (outH + 1);
    const cols = 2 * (outW + 1);
    const cropped = rows === h && cols === w ? x : tf.slice(x, [0, 0, 0, 0], [b, rows, cols, c]);
    // [b, outH + 1, row parity p, (outW + 1) · (column parity q · C + channel)]: rank 4,
    // because the WASM backend slices rank ≤ 4 natively but falls back to slow JS above.
    const paired = tf.reshape(cropped, [b, outH + 1, 2, (outW + 1) * 2 * c]);
    const patches: tf.Tensor[] = [];
    for (let ki = 0; ki < IM2COL_KERNEL; ki++) {
      const a = ki >> 1;
      const p = ki & 1;
      for (let colPair = 0; colPair < IM2COL_KERNEL / 2; colPair++) {
        const patch = tf.slice(paired, [0, a, p, colPair * 2 * c], [b, outH, 1, outW * 2 * c]);
        patches.push(tf.reshape(patch, [b, outH, outW, 2 * c]));
      }
    }
    // [b, outH, outW, 16·C], channel index (ki·4 + kj)·C + ch
    const columns = tf.reshape(tf.concat(patches, 3), [b * outH * outW, IM2COL_KERNEL * IM2COL_KERNEL * c]);
    const flatKernel = tf.reshape(kernel, [IM2COL_KERNEL * IM2COL_KERNEL * c, f]);
    let y: tf.Tensor2D = tf.matMul(columns, flatKernel);
    if (bias) y = tf.add(y, bias);
    return tf.reshape(y, [b, outH, outW, f]);
  });
}
