import { describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianKernel } from './blur';

describe('gaussianKernel', () => {
  it('is normalised and symmetric', () => {
    const k = gaussianKernel(1.5);
    expect(k.length % 2).toBe(1);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    for (let i = 0; i < k.length; i++) expect(k[i]).toBeCloseTo(k[k.length - 1 - i]!, 7);
    expect(Array.from(gaussianKernel(0))).toEqual([1]);
  });
});

describe('gaussianBlur', () => {
  it('leaves a constant image constant, borders included', () => {
    const out = gaussianBlur(new Float32Array(28 * 28).fill(0.7), 28, 28, 3);
    for (const v of out) expect(v).toBeCloseTo(0.7, 5);
  });

  it('spreads an impulse symmetrically and keeps its mass away from the borders', () => {
    const img = new Float32Array(29 * 29);
    img[14 * 29 + 14] = 1;
    const out = gaussianBlur(img, 29, 29, 2);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(out[14 * 29 + 14]).toBeLessThan(0.1);
    expect(out[14 * 29 + 12]).toBeCloseTo(out[14 * 29 + 16]!, 7);
    expect(out[12 * 29 + 14]).toBeCloseTo(out[14 * 29 + 12]!, 7);
    expect(out[14 * 29 + 15]).toBeGreaterThan(out[14 * 29 + 17]!);
  });

  it('returns a copy for sigma 0 and does not modify its input', () => {
    const img = new Float32Array([0, 1, 0, 0]);
    const out = gaussianBlur(img, 2, 2, 0);
    expect(Array.from(out)).toEqual([0, 1, 0, 0]);
    expect(out).not.toBe(img);
    gaussianBlur(img, 2, 2, 1);
    expect(Array.from(img)).toEqual([0, 1, 0, 0]);
    expect(() => gaussianBlur(img, 3, 3, 1)).toThrow(RangeError);
  });
});
