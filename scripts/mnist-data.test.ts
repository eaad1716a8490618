import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classCountsOf, HELD_OUT_PER_CLASS, loadMnistDigits, loadSplit, makeRng, makeSplit, MnistDigits, PIXELS,
  selectDigits, SPLIT_PATH,
} from './mnist-data';

const key = (r: { digit: number; index: number }): string => `${r.digit}:${r.index}`;

describe('makeRng', () => {
  it('repeats for the same seed, differs for another, stays in [0, 1)', () => {
    const a = makeRng(7);
    const b = makeRng(7);
    const c = makeRng(8);
    const seqA = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(seqA);
    expect(Array.from({ length: 100 }, c)).not.toEqual(seqA);
    expect(Math.min(...seqA)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...seqA)).toBeLessThan(1);
  });
});

describe('makeSplit', () => {
  const counts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

  it('is deterministic, stratified and disjoint, with ≥ 1,500 held out', () => {
    const split = makeSplit(counts);
    expect(makeSplit(counts)).toEqual(split);
    expect(split.heldOut.length).toBeGreaterThanOrEqual(1500);
    expect(split.heldOut.length).toBe(10 * HELD_OUT_PER_CLASS);
    for (let d = 0; d < 10; d++) {
      expect(split.heldOut.filter((r) => r.digit === d)).toHaveLength(HELD_OUT_PER_CLASS);
      expect(split.train.filter((r) => r.digit === d)).toHaveLength(counts[d]! - HELD_OUT_PER_CLASS);
    }
    const held = new Set(split.heldOut.map(key));
    expect(held.size).toBe(split.heldOut.length);
    expect(split.train.some((r) => held.has(key(r)))).toBe(false);
    expect(split.heldOut.length + split.train.length).toBe(counts.reduce((a, b) => a + b, 0));
  });

  it('depends on the seed and is not simply the first digits of each file', () => {
    const a = makeSplit(counts, 1);
    const b = makeSplit(counts, 2);
    expect(a.heldOut.map(key)).not.toEqual(b.heldOut.map(key));
    expect(a.heldOut.filter((r) => r.digit === 0).some((r) => r.index >= HELD_OUT_PER_CLASS)).toBe(true);
  });
});

describe('the mnist package digits and the committed split', () => {
  let digits: MnistDigits;
  beforeAll(() => {
    digits = loadMnistDigits();
  });

  it('loads 10,000 images of 784 values in [0, 1]', () => {
    const counts = classCountsOf(digits);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    const first = digits.byClass[3]![0]!;
    expect(first).toHaveLength(PIXELS);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThanOrEqual(1);
    expect(Math.max(...first)).toBeGreaterThan(0.5);
  });

  it('split.json is the split makeSplit gives for the package data', () => {
    expect(existsSync(SPLIT_PATH)).toBe(true);
    const committed = loadSplit();
    const fresh = makeSplit(classCountsOf(digits));
    expect(committed.heldOut).toEqual(fresh.heldOut);
    expect(committed.train).toEqual(fresh.train);
  });

  it('selectDigits gathers pixels and labels in order', () => {
    const set = selectDigits(digits, [{ digit: 4, index: 10 }, { digit: 9, index: 0 }]);
    expect(Array.from(set.labels)).toEqual([4, 9]);
    expect(set.pixels01.subarray(PIXELS)).toEqual(digits.byClass[9]![0]);
    expect(() => selectDigits(digits, [{ digit: 5, index: 5000 }])).toThrow();
  });
});
