import { describe, expect, it } from 'vitest';
import {
  EmptyInputError,
  MNIST_PIXELS,
  centreOfMass,
  fitToMnist,
  preprocessGray01,
  preprocessRgba,
  rgbaToGray01,
  toInk01,
} from './mnist-preprocess';

/** A w×h grayscale image with the rectangle [x0, x1) × [y0, y1) set to `ink` on `bg`. */
function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number, ink = 1, bg = 0): Float32Array {
  const a = new Float32Array(w * h).fill(bg);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) a[y * w + x] = ink;
  return a;
}

/** Bounding box (index, inclusive) of pixels above `t` in a 28×28 image. */
function box28(p: Float32Array, t = 0.05) {
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! > t) {
      const x = i % 28, y = Math.floor(i / 28);
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  return { x0, y0, x1, y1, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

function toRgba(gray01: Float32Array, alpha = 255): Uint8ClampedArray {
  const out = new Uint8ClampedArray(gray01.length * 4);
  gray01.forEach((v, i) => {
    out.set([v * 255, v * 255, v * 255, alpha], i * 4);
  });
  return out;
}

describe('preprocessGray01', () => {
  it('puts the centre of mass of a centred blob at the field centre, values in [0, 1]', () => {
    const out = preprocessGray01(rect(100, 100, 40, 30, 60, 70), 100, 100);
    expect(out).toHaveLength(MNIST_PIXELS);
    const com = centreOfMass(out);
    expect(Math.abs(com.x - 14)).toBeLessThan(0.1);
    expect(Math.abs(com.y - 14)).toBeLessThan(0.1);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    expect(Math.max(...out)).toBeGreaterThan(0.99);
  });

  it('centres an off-centre, lopsided blob by its centre of mass', () => {
    // An "L": a tall bar plus a foot at the bottom right, in the top-left corner of a wide image.
    const w = 200, h = 120;
    const img = rect(w, h, 5, 5, 15, 65);
    for (let y = 55; y < 65; y++) for (let x = 15; x < 45; x++) img[y * w + x] = 1;
    const out = preprocessGray01(img, w, h);
    const com = centreOfMass(out);
    expect(com.x).toBeCloseTo(14, 0);
    expect(com.y).toBeCloseTo(14, 0);
    expect(Math.abs(com.x - 14)).toBeLessThan(0.5);
    expect(Math.abs(com.y - 14)).toBeLessThan(0.5);
    // The box is not centred (the mass is low and to the left), but it stays on the field.
    const b = box28(out);
    expect(b.x0).toBeGreaterThanOrEqual(0);
    expect(b.y1).toBeLessThanOrEqual(27);
    expect(b.h).toBeGreaterThanOrEqual(19);
    expect(b.h).toBeLessThanOrEqual(21);
  });

  it('keeps the aspect ratio: a 1:3 bar becomes about 7×20', () => {
    const out = preprocessGray01(rect(90, 90, 30, 0, 60, 90), 90, 90);
    const b = box28(out, 0.5);
    expect(b.h).toBe(20);
    expect(b.w).toBeGreaterThanOrEqual(6);
    expect(b.w).toBeLessThanOrEqual(8);
    const wide = box28(preprocessGray01(rect(90, 90, 0, 30, 90, 60), 90, 90), 0.5);
    expect(wide.w).toBe(20);
    expect(wide.h).toBeGreaterThanOrEqual(6);
    expect(wide.h).toBeLessThanOrEqual(8);
  });

  it('turns thin strokes grey (area averaging), as in MNIST', () => {
    // A 2-pixel-wide vertical line 200 pixels tall: scale 0.1, so it covers a fifth of a pixel column.
    const out = preprocessGray01(rect(300, 300, 150, 50, 152, 250), 300, 300);
    const peak = Math.max(...out);
    expect(peak).toBeGreaterThan(0.1);
    expect(peak).toBeLessThan(0.5);
    const mass = out.reduce((a, b) => a + b, 0);
    // Area averaging conserves mass: 2·200 source pixels · 0.1² ≈ 4 output pixels.
    expect(mass).toBeCloseTo(4, 1);
  });

  it('handles a dark digit on a light background (inverts it)', () => {
    const light = rect(60, 60, 20, 10, 40, 50, 0.1, 0.95);
    const dark = rect(60, 60, 20, 10, 40, 50, 1, 0);
    const a = preprocessGray01(light, 60, 60);
    const b = preprocessGray01(dark, 60, 60);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    // Background is black after inversion.
    expect(a[0]).toBe(0);
  });

  it('upscales a tiny digit smoothly into the 20×20 box', () => {
    const out = preprocessGray01(rect(10, 10, 4, 2, 6, 8), 10, 10);
    const b = box28(out, 0.5);
    expect(b.h).toBeGreaterThanOrEqual(19);
    expect(b.h).toBeLessThanOrEqual(21);
    const com = centreOfMass(out);
    expect(Math.abs(com.x - 14)).toBeLessThan(0.5);
    expect(Math.abs(com.y - 14)).toBeLessThan(0.5);
  });

  it('throws EmptyInputError on a blank or uniform image', () => {
    expect(() => preprocessGray01(new Float32Array(400), 20, 20)).toThrow(EmptyInputError);
    expect(() => preprocessGray01(new Float32Array(400).fill(0.8), 20, 20)).toThrow(/no digit/);
    try {
      preprocessGray01(new Float32Array(400).fill(0.3), 20, 20);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe('EmptyInputError');
    }
  });

  it('ignores faint paper texture when finding the digit', () => {
    const img = rect(100, 100, 45, 20, 55, 80, 0.9, 0.05);
    for (let i = 0; i < img.length; i += 7) img[i] = Math.max(img[i]!, 0.12);
    const out = preprocessGray01(img, 100, 100);
    const b = box28(out, 0.5);
    expect(b.h).toBe(20);
  });
});

describe('rgbaToGray01', () => {
  it('composites alpha on black for light ink', () => {
    const rgba = new Uint8ClampedArray([255, 255, 255, 255, 255, 255, 255, 0, 255, 255, 255, 128, 0, 0, 0, 0]);
    const g = rgbaToGray01(rgba, 2, 2);
    expect(g[0]).toBeCloseTo(1);
    expect(g[1]).toBeCloseTo(0);
    expect(g[2]).toBeCloseTo(128 / 255);
  });

  it('composites dark ink on a transparent background on white, so the digit survives', () => {
    const w = 40, h = 40;
    const rgba = new Uint8ClampedArray(w * h * 4); // all transparent
    for (let y = 8; y < 32; y++) for (let x = 16; x < 24; x++) rgba.set([0, 0, 0, 255], (y * w + x) * 4);
    const out = preprocessRgba(rgba, w, h);
    expect(Math.max(...out)).toBeGreaterThan(0.99);
    expect(box28(out, 0.5).h).toBe(20);
  });

  it('gives the same input for RGBA and grayscale of the same picture', () => {
    const g = rect(50, 50, 10, 5, 30, 45, 0.2, 0.9);
    const a = preprocessRgba(toRgba(g), 50, 50);
    const b = preprocessGray01(g, 50, 50);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(0.01);
  });
});

describe('toInk01 and fitToMnist', () => {
  it('subtracts the background and stretches the contrast', () => {
    const ink = toInk01(rect(10, 10, 3, 3, 6, 6, 0.6, 0.2), 10, 10);
    expect(ink[0]).toBe(0);
    expect(ink[4 * 10 + 4]).toBeCloseTo(1);
  });

  it('rejects mismatched sizes and empty ink', () => {
    expect(() => toInk01(new Float32Array(5), 2, 2)).toThrow(RangeError);
    expect(() => fitToMnist(new Float32Array(16), 4, 4)).toThrow(EmptyInputError);
  });
});
