import { describe, expect, it } from 'vitest';
import { augmentDigit } from './mnist-augment';
import { makeRng, PIXELS } from './mnist-data';

/** A bold 1-ish bar: columns 12–15, rows 5–22 at 1, everything else 0. */
function bar(): Float32Array {
  const image = new Float32Array(PIXELS);
  for (let y = 5; y <= 22; y++) for (let x = 12; x <= 15; x++) image[y * 28 + x] = 1;
  return image;
}

const sum = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);

describe('augmentDigit', () => {
  it('keeps 784 values in [0, 1] and changes the image', () => {
    const rng = makeRng(3);
    const source = bar();
    for (let trial = 0; trial < 50; trial++) {
      const out = augmentDigit(source, rng);
      expect(out).toHaveLength(PIXELS);
      expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...out)).toBeLessThanOrEqual(1);
      expect(out).not.toEqual(source);
      expect(sum(out)).toBeGreaterThan(0.4 * sum(source));
    }
    expect(source).toEqual(bar());
  });

  it('is reproducible from the seed', () => {
    expect(augmentDigit(bar(), makeRng(11))).toEqual(augmentDigit(bar(), makeRng(11)));
    expect(augmentDigit(bar(), makeRng(11))).not.toEqual(augmentDigit(bar(), makeRng(12)));
  });

  it('is the identity with all magnitudes zero', () => {
    const out = augmentDigit(bar(), makeRng(5), undefined, { maxShift: 0, maxRotationDeg: 0, maxScale: 0, maxStroke: 0 });
    for (let i = 0; i < PIXELS; i++) expect(out[i]).toBeCloseTo(bar()[i]!, 5);
  });

  it('thickens strokes with dilation and thins them with erosion', () => {
    const none = { maxShift: 0, maxRotationDeg: 0, maxScale: 0 };
    // maxStroke negative flips the sign of the drawn amount, so try both and compare ink.
    const inks = [0.6, -0.6].map((maxStroke) => sum(augmentDigit(bar(), makeRng(9), undefined, { ...none, maxStroke })));
    expect(Math.max(...inks)).toBeGreaterThan(sum(bar()) + 1);
    expect(Math.min(...inks)).toBeLessThan(sum(bar()) - 1);
  });
});
