import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onCpuCheckingEachTestForLeaks } from './cpu-no-leaks.testing';
import { createRng } from '../dream/jitter';
import { applyTransforms, drawTransform, resize, rotate, standardTransforms } from './transforms';

describe('robustness transforms', () => {
  onCpuCheckingEachTestForLeaks();

  it('resize agrees with tf.image.resizeBilinear (half-pixel centres)', () => {
    const img = tf.randomUniform([9, 7, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
    for (const [h, w] of [[9, 7], [10, 8], [8, 6], [11, 9]] as const) {
      const ours = resize(img, h, w);
      const theirs = tf.image.resizeBilinear(img, [h, w], false, true);
      expect(ours.shape).toEqual([h, w, 3]);
      const a = ours.dataSync();
      const b = theirs.dataSync();
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
      tf.dispose([ours, theirs]);
    }
    img.dispose();
  });

  it('rotates a ramp exactly inside the image, keeps a constant at the fill value and leaves angle 0 alone', () => {
    const n = 9;
    const c = (n - 1) / 2;
    const values = Array.from({ length: n * n }, (_, i) => i % n); // f(y, x) = x
    const ramp = tf.tensor3d(values, [n, n, 1]);
    const angle = 0.2;
    const rotated = rotate(ramp, angle);
    const r = rotated.arraySync() as number[][][];
    // Linear interpolation reproduces a linear function exactly wherever no sample came from outside:
    // rotated f(y, x) = (x − c)·cos θ + (y − c)·sin θ + c.
    for (let y = 2; y <= 6; y++) {
      for (let x = 2; x <= 6; x++) expect(r[y][x][0]).toBeCloseTo((x - c) * Math.cos(angle) + (y - c) * Math.sin(angle) + c, 4);
    }
    const grey = tf.fill([6, 6, 3], 0.5) as tf.Tensor3D;
    const rotatedGrey = rotate(grey, 0.15, 0.5);
    for (const v of rotatedGrey.dataSync()) expect(v).toBeCloseTo(0.5, 5);
    const same = rotate(ramp, 0);
    expect(Array.from(same.dataSync())).toEqual(values);
    tf.dispose([ramp, rotated, grey, rotatedGrey, same]);
  });

  it('pads with grey, jitters and scales to the expected size; is seeded and differentiable', () => {
    const s = standardTransforms(32);
    expect(s.pad).toBe(3);
    const img = tf.randomUniform([32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const d1 = drawTransform(s, createRng(4));
    const d2 = drawTransform(s, createRng(4));
    expect(d1).toEqual(d2);
    const out = applyTransforms(img, s, { ...d1, scale: 1.1 });
    const afterJitter = 32 + 2 * s.pad - s.jitter;
    const scaled = Math.round(afterJitter * 1.1);
    expect(out.shape).toEqual([scaled - s.finalJitter, scaled - s.finalJitter, 3]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(applyTransforms(x as tf.Tensor3D, s, d1)))(img);
    expect(g.shape).toEqual([32, 32, 3]);
    // Every pixel reaches the output with positive weight (scale 1.1 and a small rotation lose none, jitter loses at most 3 px a side).
    const gv = g.dataSync();
    expect(Math.min(...gv.slice(3 * (32 * 8 + 8), 3 * (32 * 8 + 24)))).toBeGreaterThan(0);
    tf.dispose([img, out, g]);
  });
});
