import { describe, expect, it } from 'vitest';
import { DIVERGING_STOPS, colorizeAttributions, divergingColor, divergingCssGradient, overlayCssGradient, robustScale, symmetricScale } from './colormap';

/** Relative luminance-ish lightness, enough to compare colours along the ramp. */
const light = ([r, g, b]: readonly number[]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;

describe('divergingColor', () => {
  it('maps zero to white-ish, −max to blue and +max to orange', () => {
    expect(divergingColor(0, 1)).toEqual([247, 247, 247]);
    const neg = divergingColor(-2, 2);
    const pos = divergingColor(2, 2);
    expect(neg).toEqual(DIVERGING_STOPS[0]);
    expect(pos).toEqual(DIVERGING_STOPS[4]);
    expect(neg[2]).toBeGreaterThan(neg[0]); // blue dominates
    expect(pos[0]).toBeGreaterThan(pos[2]); // red/orange dominates
  });

  it('clamps beyond the scale and copes with a zero or invalid scale', () => {
    expect(divergingColor(10, 1)).toEqual(divergingColor(1, 1));
    expect(divergingColor(-10, 1)).toEqual(divergingColor(-1, 1));
    expect(divergingColor(5, 0)).toEqual([247, 247, 247]);
    expect(divergingColor(Number.NaN, 1)).toEqual([247, 247, 247]);
  });

  it('gets darker monotonically away from zero on both sides (magnitude reads as strength)', () => {
    let prevPos = light(divergingColor(0, 1));
    let prevNeg = prevPos;
    for (let t = 0.1; t <= 1.0001; t += 0.1) {
      const p = light(divergingColor(t, 1));
      const n = light(divergingColor(-t, 1));
      expect(p).toBeLessThan(prevPos);
      expect(n).toBeLessThan(prevNeg);
      prevPos = p;
      prevNeg = n;
    }
  });
});

describe('colorizeAttributions', () => {
  it('opaque mode colours every pixel with full alpha', () => {
    const rgba = colorizeAttributions(new Float32Array([-1, 0, 0.5, 1]), 1);
    expect(rgba).toHaveLength(16);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([33, 102, 172, 255]);
    expect(Array.from(rgba.subarray(4, 8))).toEqual([247, 247, 247, 255]);
    expect(Array.from(rgba.subarray(12, 16))).toEqual([230, 97, 1, 255]);
  });

  it('alpha mode makes zero transparent and strength opaque, symmetric in sign', () => {
    const rgba = colorizeAttributions(new Float32Array([0, 0.25, -0.25, 1, -1]), 1, 'alpha');
    expect(rgba[3]).toBe(0);
    expect(rgba[7]).toBe(rgba[11]);
    expect(rgba[7]).toBeGreaterThan(0);
    expect(rgba[15]).toBe(255);
    expect(rgba[19]).toBe(255);
    expect(Array.from(rgba.subarray(12, 15))).toEqual([230, 97, 1]);
    expect(Array.from(rgba.subarray(16, 19))).toEqual([33, 102, 172]);
  });
});

describe('symmetricScale and legend', () => {
  it('takes max |v| over all maps', () => {
    expect(symmetricScale(new Float32Array([0.1, -3]), [2, Number.NaN])).toBe(3);
    expect(symmetricScale()).toBe(0);
    expect(symmetricScale(new Float32Array(4))).toBe(0);
  });

  it('builds a CSS gradient through all stops', () => {
    const css = divergingCssGradient();
    expect(css.startsWith('linear-gradient(to right,')).toBe(true);
    expect(css).toContain('rgb(33, 102, 172) 0%');
    expect(css).toContain('rgb(230, 97, 1) 100%');
  });
});

describe('overlayCssGradient', () => {
  it('shows the background itself at zero and the full end colours at ±max', () => {
    const g = overlayCssGradient(115, 'to right', 4);
    expect(g).toContain('rgb(33, 102, 172) 0.0%');
    expect(g).toContain('rgb(115, 115, 115) 50.0%');
    expect(g).toContain('rgb(230, 97, 1) 100.0%');
    expect(overlayCssGradient(0, 'to right', 2)).toContain('rgb(0, 0, 0) 50.0%');
  });
});

describe('robustScale', () => {
  it('takes the 99th percentile of the non-zero |values| pooled over maps, not the maximum', () => {
    const a = new Float32Array(300);
    const b = new Float32Array(300);
    for (let i = 0; i < 100; i++) {
      a[i] = i + 1; // 1 … 100
      b[i] = -(i + 101); // −101 … −200
    }
    b[299] = 1e6; // one extreme pixel
    // 201 non-zero values 1 … 200 and 1e6; the 99th percentile is the ⌈0.99·201⌉ = 199th smallest.
    expect(robustScale([a, b])).toBe(199);
    expect(symmetricScale(a, b)).toBe(1e6);
    expect(robustScale([new Float32Array(4)])).toBe(0);
    expect(robustScale([Float32Array.of(0, 2, 0)])).toBe(2);
  });
});
