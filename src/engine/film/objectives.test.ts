import { describe, expect, it } from 'vitest';
import { mixLayers, objectiveAt, parseObjectiveTerm, smoothstep } from './objectives';

describe('objectiveAt', () => {
  it('starts on the first layer, ends on the last and passes each key in between', () => {
    const seq = ['mixed3', 'mixed4', 'mixed5'];
    expect(objectiveAt(seq, 0, 9)).toEqual([{ name: 'mixed3', weight: 1 }]);
    expect(objectiveAt(seq, 4, 9)).toEqual([{ name: 'mixed4', weight: 1 }]);
    expect(objectiveAt(seq, 8, 9)).toEqual([{ name: 'mixed5', weight: 1 }]);
  });

  it('blends neighbours with smoothstep weights that sum to 1 and change monotonically', () => {
    const seq = ['mixed3', 'mixed5'];
    // Frame 1 of 5 is a quarter of the way: smoothstep(0.25) = 0.15625.
    expect(objectiveAt(seq, 1, 5)).toEqual([
      { name: 'mixed3', weight: 1 - 0.15625 },
      { name: 'mixed5', weight: 0.15625 },
    ]);
    let previous = 0;
    for (let k = 1; k < 20; k++) {
      const mix = objectiveAt(seq, k, 21);
      expect(mix[0]!.weight + mix[1]!.weight).toBeCloseTo(1, 12);
      expect(mix[1]!.weight).toBeGreaterThan(previous);
      previous = mix[1]!.weight;
    }
  });

  it('is a single layer for a one-layer sequence or a one-frame film, and refuses an empty one', () => {
    expect(objectiveAt(['mixed2'], 3, 10)).toEqual([{ name: 'mixed2', weight: 1 }]);
    expect(objectiveAt(['mixed2', 'mixed4'], 0, 1)).toEqual([{ name: 'mixed2', weight: 1 }]);
    expect(() => objectiveAt([], 0, 3)).toThrow(/empty/);
    expect(smoothstep(0.5)).toBe(0.5);
  });
});

describe('filter sequences', () => {
  it('reads layer:filter terms and blends two filters of one layer', () => {
    expect(parseObjectiveTerm('mixed4')).toEqual({ name: 'mixed4', channel: null });
    expect(parseObjectiveTerm('mixed4:17')).toEqual({ name: 'mixed4', channel: 17 });
    expect(() => parseObjectiveTerm('mixed4:x')).toThrow(/layer:filter/);
    expect(() => parseObjectiveTerm('mixed4:-1')).toThrow(RangeError);
    expect(() => parseObjectiveTerm(':3')).toThrow(RangeError);
    // Frame 1 of 5 between two filters of mixed4: smoothstep(0.25) = 0.15625, and the whole layer later.
    expect(mixLayers(objectiveAt(['mixed4:17', 'mixed4:300'], 1, 5))).toEqual([
      { name: 'mixed4', weight: 1 - 0.15625, channel: 17 },
      { name: 'mixed4', weight: 0.15625, channel: 300 },
    ]);
    expect(mixLayers(objectiveAt(['mixed4:17', 'mixed5'], 4, 5))).toEqual([{ name: 'mixed5', weight: 1 }]);
  });
});
