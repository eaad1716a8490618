import { describe, expect, it } from 'vitest';
import { addUpscaledDetail, type RgbaImage } from './detail-upscale';

/** An RGBA image from one grey value per pixel (R = G = B). */
function grey(width: number, height: number, values: number[]): RgbaImage {
  const rgba = new Uint8ClampedArray(width * height * 4);
  values.forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
  return { width, height, rgba };
}

const red = (img: Uint8ClampedArray) => Array.from(img.filter((_, i) => i % 4 === 0));

describe('addUpscaledDetail', () => {
  it('adds the detail upscaled with half-pixel-centred bilinear weights (worked by hand)', () => {
    // Detail 1×2: [+40, −40]. Upscaled to 1×4 the samples sit at x = −0.25→0 (clamped), 0.25, 0.75, 1.25→1:
    // weights 0, 0.25, 0.75, 1 towards the right pixel: 40, 20, −20, −40.
    const base = grey(2, 1, [100, 100]);
    const result = grey(2, 1, [140, 60]);
    const original = grey(4, 1, [10, 50, 100, 200]);
    const out = addUpscaledDetail(original, base, result);
    expect(red(out)).toEqual([50, 70, 80, 160]);
    expect(out[3]).toBe(255);
  });

  it('is the original itself where the dream changed nothing, and the dream itself at the same size', () => {
    const base = grey(3, 2, [0, 50, 100, 150, 200, 250]);
    const original = grey(6, 4, Array.from({ length: 24 }, (_, i) => i * 10));
    expect(Array.from(addUpscaledDetail(original, base, base))).toEqual(Array.from(original.rgba));
    const dream = grey(3, 2, [5, 40, 120, 150, 255, 0]);
    expect(red(addUpscaledDetail(base, base, dream))).toEqual([5, 40, 120, 150, 255, 0]);
  });

  it('clamps to 0..255 and keeps the channels apart', () => {
    const base: RgbaImage = { width: 1, height: 1, rgba: new Uint8ClampedArray([100, 100, 100, 255]) };
    const result: RgbaImage = { width: 1, height: 1, rgba: new Uint8ClampedArray([200, 0, 130, 255]) };
    const original: RgbaImage = { width: 2, height: 1, rgba: new Uint8ClampedArray([250, 20, 10, 255, 0, 200, 30, 255]) };
    expect(Array.from(addUpscaledDetail(original, base, result))).toEqual([255, 0, 40, 255, 100, 100, 60, 255]);
  });

  it('refuses a dream and a photo of different sizes', () => {
    expect(() => addUpscaledDetail(grey(4, 4, new Array(16).fill(0)), grey(2, 2, [0, 0, 0, 0]), grey(2, 1, [0, 0]))).toThrow(/differ in size/);
  });
});
