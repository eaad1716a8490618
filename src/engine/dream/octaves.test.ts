import { describe, expect, it } from 'vitest';
import { dreamProgress, octaveSizes, totalSteps } from './octaves';

describe('octaves', () => {
  it('sizes follow the scale, smallest first, last at the photo size', () => {
    const sizes = octaveSizes(400, 300, 4, 1.4);
    expect(sizes).toHaveLength(4);
    expect(sizes[3]).toEqual({ width: 400, height: 300 });
    expect(sizes[0]).toEqual({ width: Math.round(400 / 1.4 ** 3), height: Math.round(300 / 1.4 ** 3) });
    for (let k = 1; k < 4; k++) expect(sizes[k].width / sizes[k - 1].width).toBeCloseTo(1.4, 1);
  });

  it('raises small octaves to the minimum side, keeping the aspect, never above the photo', () => {
    const sizes = octaveSizes(120, 60, 4, 2, 43);
    expect(sizes.map((s) => s.height)).toEqual([43, 43, 43, 60]);
    expect(sizes[0].width).toBe(86);
    expect(octaveSizes(30, 30, 3, 1.4, 43).every((s) => s.width === 30 && s.height === 30)).toBe(true);
    expect(() => octaveSizes(0, 10, 2, 1.4)).toThrow(RangeError);
  });

  it('reports progress as a fraction of all steps', () => {
    expect(totalSteps(4, 10)).toBe(40);
    expect(dreamProgress(0, 0, 4, 10)).toBe(0);
    expect(dreamProgress(1, 5, 4, 10)).toBeCloseTo(15 / 40);
    expect(dreamProgress(3, 10, 4, 10)).toBe(1);
    expect(dreamProgress(0, 0, 3, 0)).toBe(1);
  });
});
