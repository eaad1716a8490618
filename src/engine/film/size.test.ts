import { describe, expect, it } from 'vitest';
import { filmSize } from './size';

describe('filmSize', () => {
  it('keeps the aspect ratio with the longest side at the output size, both sides even', () => {
    expect(filmSize(400, 300, 64)).toEqual({ width: 64, height: 48 });
    expect(filmSize(300, 400, 64)).toEqual({ width: 48, height: 64 });
    // 64 × 333/500 = 42.6 → 42 (even).
    expect(filmSize(500, 333, 64)).toEqual({ width: 64, height: 42 });
    expect(filmSize(33, 33, 65)).toEqual({ width: 66, height: 66 });
    expect(filmSize(1000, 1, 64)).toEqual({ width: 64, height: 2 });
    expect(() => filmSize(0, 10, 64)).toThrow(RangeError);
  });
});
