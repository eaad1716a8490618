import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { colourMatrix, toValidRgb } from './colour';

describe('decorrelated colour', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('normalises the largest column to norm 1 and maps through a sigmoid into (0, 1)', () => {
    const start = tf.memory().numTensors;
    const m = colourMatrix();
    const norms = [0, 1, 2].map((j) => Math.hypot(m[0][j], m[1][j], m[2][j]));
    expect(Math.max(...norms)).toBeCloseTo(1, 6);
    const t = tf.tensor3d([0, 0, 0, 1, 0, 0, 100, -100, 50, -100, 100, -50], [2, 2, 3]);
    const out = toValidRgb(t);
    const rgb = out.dataSync();
    expect(Array.from(rgb.slice(0, 3))).toEqual([0.5, 0.5, 0.5]);
    // first axis = (the luminance-like column) · 1: sigmoid(m[c][0])
    for (let c = 0; c < 3; c++) expect(rgb[3 + c]).toBeCloseTo(1 / (1 + Math.exp(-m[c][0])), 5);
    for (const v of rgb) expect(v >= 0 && v <= 1).toBe(true);
    tf.dispose([t, out]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
