import { describe, expect, it } from 'vitest';
import { referencePixels } from './reference';

const input = new Float32Array(784);
for (let y = 6; y < 22; y++) input[y * 28 + 14] = 1;

describe('referencePixels', () => {
  it('builds black and grey references', () => {
    expect(referencePixels({ kind: 'black' }, input).every((v) => v === 0)).toBe(true);
    expect(referencePixels({ kind: 'grey', value: 0.5 }, input).every((v) => v === 0.5)).toBe(true);
  });

  it('blurs the input for the blurred reference, keeping its mass', () => {
    const ref = referencePixels({ kind: 'blurred', sigma: 3 }, input);
    expect(ref).toHaveLength(784);
    expect(Math.max(...ref)).toBeLessThan(0.5);
    expect(ref.reduce((a, b) => a + b, 0)).toBeCloseTo(16, 0);
    expect(ref[14 * 28 + 14]).toBeGreaterThan(ref[14 * 28 + 4]!);
  });

  it('copies a custom reference and checks sizes', () => {
    const custom = new Float32Array(784).fill(0.25);
    const ref = referencePixels({ kind: 'custom', pixels01: custom }, input);
    expect(ref).not.toBe(custom);
    expect(ref[100]).toBe(0.25);
    expect(() => referencePixels({ kind: 'custom', pixels01: new Float32Array(3) }, input)).toThrow(RangeError);
    expect(() => referencePixels({ kind: 'black' }, new Float32Array(3))).toThrow(RangeError);
  });
});
