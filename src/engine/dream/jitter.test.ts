import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, randomShift, roll } from './jitter';

describe('jitter', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('rolls like np.roll and rolls back exactly', () => {
    const start = tf.memory().numTensors;
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const r = roll(x, 1, 1);
    expect(Array.from(r.dataSync())).toEqual([6, 4, 5, 3, 1, 2]);
    const back = roll(r, -1, -1);
    expect(Array.from(back.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const big = roll(x, 5, -4); // wraps modulo the size: (1, 2)
    expect(Array.from(big.dataSync())).toEqual([5, 6, 4, 2, 3, 1]);
    tf.dispose([x, r, back, big]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('is reproducible from the seed and stays in range', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 50 }, () => randomShift(a, 8));
    const sb = Array.from({ length: 50 }, () => randomShift(b, 8));
    const sc = Array.from({ length: 50 }, () => randomShift(c, 8));
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(Math.min(...sa)).toBeGreaterThanOrEqual(-8);
    expect(Math.max(...sa)).toBeLessThanOrEqual(8);
    expect(new Set(sa).size).toBeGreaterThan(8);
    expect(randomShift(a, 0)).toBe(0);
  });
});
