import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../models/model-spec';
import { modelInputToRgba, modelToPixel, photoReference, pixelToModel, preprocessPhoto, resizePhoto, sumChannels } from './photo-preprocess';

/** An RGBA image from per-pixel [r, g, b]. */
function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      rgba.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { rgba, width, height };
}

const spec = (over: Partial<InputSpec>): InputSpec => ({ height: 2, width: 2, channels: 3, scaling: 'unit', resize: 'crop', isDynamic: false, ...over });

describe('photo preprocessing', () => {
  it('area-averages a 4×4 down to 2×2 (each output is the mean of its 2×2 block)', () => {
    const img = image(4, 4, (x, y) => [x * 10 + y, 0, 100]);
    const out = resizePhoto(img, spec({}));
    // block (0,0): x∈{0,1}, y∈{0,1} → mean of 0,1,10,11 = 5.5
    expect(out[0]).toBeCloseTo(5.5, 5);
    // block (1,0): x∈{2,3}, y∈{0,1} → 20,21,30,31 → 25.5
    expect(out[3]).toBeCloseTo(25.5, 5);
    // block (1,1): 22,23,32,33 → 27.5
    expect(out[9]).toBeCloseTo(27.5, 5);
    expect(out[2]).toBeCloseTo(100, 5);
  });

  it('centre crop keeps the middle of a wide photo; fit pads it with black', () => {
    // 6×2: columns 0,1 red=0; 2,3 red=200; 4,5 red=0. Crop to 2×2 keeps columns 2..3 only.
    const img = image(6, 2, (x) => [x === 2 || x === 3 ? 200 : 0, 50, 50]);
    const cropped = resizePhoto(img, spec({ resize: 'crop' }));
    expect(Array.from(cropped.filter((_, i) => i % 3 === 0))).toEqual([200, 200, 200, 200]);
    // Fit into 3×3: scale 0.5 → a 3×1 strip in the middle row, black above and below.
    const fitted = resizePhoto(img, { height: 3, width: 3, resize: 'fit' });
    expect(fitted[1]).toBe(0); // top row is padding
    expect(fitted[(1 * 3 + 1) * 3]).toBeCloseTo(200, 5); // centre cell covers columns 2..3
    expect(fitted[(1 * 3 + 1) * 3 + 1]).toBeCloseTo(50, 5);
    expect(fitted[(2 * 3 + 1) * 3 + 1]).toBe(0); // bottom row is padding
  });

  it('each scaling maps 0 and 255 where it says and inverts exactly', () => {
    expect(pixelToModel(255, 'unit', 0)).toBe(1);
    expect(pixelToModel(0, 'signed', 1)).toBe(-1);
    expect(pixelToModel(255, 'signed', 1)).toBe(1);
    expect(pixelToModel(17, 'raw', 2)).toBe(17);
    expect(pixelToModel(0.485 * 255, 'imagenet', 0)).toBeCloseTo(0, 6);
    expect(pixelToModel(255, 'imagenet', 2)).toBeCloseTo((1 - 0.406) / 0.225, 6);
    for (const s of ['unit', 'signed', 'raw', 'imagenet'] as const) {
      for (const c of [0, 1, 2]) expect(modelToPixel(pixelToModel(93, s, c), s, c)).toBeCloseTo(93, 4);
    }
  });

  it('one channel is BT.601 luma; what the model sees round-trips the tensor', () => {
    const img = image(2, 2, () => [255, 0, 0]);
    const gray = preprocessPhoto(img, spec({ channels: 1 }));
    expect(gray.length).toBe(4);
    expect(gray[0]).toBeCloseTo(0.299, 6);
    const rgb = preprocessPhoto(image(2, 2, (x, y) => [x * 100, y * 100, 30]), spec({ scaling: 'imagenet' }));
    const seen = modelInputToRgba(rgb, spec({ scaling: 'imagenet' }));
    expect(Array.from(seen.subarray(4, 8))).toEqual([100, 0, 30, 255]);
    expect(Array.from(modelInputToRgba(gray, spec({ channels: 1 })).subarray(0, 4))).toEqual([76, 76, 76, 255]);
  });

  it('references: black is pixel 0, grey the scaling’s zero, blurred keeps a constant photo constant', () => {
    const s = spec({ scaling: 'signed' });
    const input = preprocessPhoto(image(2, 2, () => [200, 100, 50]), s);
    expect(Array.from(photoReference('black', input, s))).toEqual(new Array(12).fill(-1));
    expect(Array.from(photoReference('grey', input, s))).toEqual(new Array(12).fill(0));
    expect(photoReference('grey', input, spec({}))[0]).toBeCloseTo(0.5, 6);
    const blurred = photoReference('blurred', input, s);
    for (let i = 0; i < 12; i++) expect(blurred[i]).toBeCloseTo(input[i]!, 5);
  });

  it('sums contributions over channels', () => {
    expect(Array.from(sumChannels(new Float32Array([1, 2, 3, -1, -1, 5]), 3))).toEqual([6, 3]);
  });
});
