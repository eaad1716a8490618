import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  heatmapOverPhoto, parseLabels, photoReference, resizePhoto, scalePixels, unscalePixels,
} from './photo-input';
import { divergingColor } from './colormap';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('scalePixels', () => {
  const px = new Float32Array([255, 0, 127.5]);
  it('unit, tf, raw and caffe (BGR minus the ImageNet means)', () => {
    expect(Array.from(scalePixels(px, 'unit', 3))).toEqual([1, 0, 0.5]);
    expect(Array.from(scalePixels(px, 'tf', 3))).toEqual([1, -1, 0]);
    expect(Array.from(scalePixels(px, 'raw', 3))).toEqual([255, 0, 127.5]);
    const caffe = scalePixels(px, 'caffe', 3);
    [127.5 - 103.939, 0 - 116.779, 255 - 123.68].forEach((v, i) => expect(caffe[i]).toBeCloseTo(v, 4));
  });
  it('one channel is the luma', () => {
    expect(scalePixels(px, 'raw', 1)[0]).toBeCloseTo(0.299 * 255 + 0.114 * 127.5, 4);
  });
  it('unscalePixels inverts every scaling', () => {
    for (const s of ['unit', 'tf', 'caffe', 'raw'] as const) {
      const back = unscalePixels(scalePixels(px, s, 3), s, 3);
      back.forEach((v, i) => expect(v).toBeCloseTo(px[i], 3));
    }
  });
});

describe('resizePhoto', () => {
  it('bilinear with half-pixel centres, like tf.image.resize', async () => {
    // One row [0, 10] (one channel repeated ×3) → 4 columns: sources −0.25, 0.25, 0.75, 1.25 → 0, 2.5, 7.5, 10.
    const photo = tf.tensor3d([0, 0, 0, 10, 10, 10], [1, 2, 3]);
    const out = await resizePhoto(photo, 1, 4);
    expect(Array.from(out.filter((_, i) => i % 3 === 0))).toEqual([0, 2.5, 7.5, 10]);
    photo.dispose();
  });
});

describe('photoReference', () => {
  const values = scalePixels(Float32Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 23) % 256), 'tf', 3);
  it('black and grey are pixels 0 and 127.5 in the scaling', () => {
    expect(photoReference('black', values, 4, 4, 3, 'tf').every((v) => v === -1)).toBe(true);
    expect(photoReference('grey', values, 4, 4, 3, 'tf').every((v) => v === 0)).toBe(true);
    expect(photoReference('grey', values.slice(0, 16), 4, 4, 1, 'unit').every((v) => v === 0.5)).toBe(true);
  });
  it('blur keeps each channel mean-preserving and smooths it', () => {
    const blurred = photoReference('blur', values, 4, 4, 3, 'tf', 1);
    const spread = (a: Float32Array) => Math.max(...a) - Math.min(...a);
    expect(spread(blurred)).toBeLessThan(spread(values));
    const constant = photoReference('blur', new Float32Array(48).fill(0.25), 4, 4, 3, 'tf', 2);
    constant.forEach((v) => expect(v).toBeCloseTo(0.25, 6));
  });
});

describe('heatmapOverPhoto', () => {
  it('sums channels, colours ±max and blends half and half', () => {
    const attributions = [1, 1, 0, /* px 1 */ -0.5, -0.5, 0];
    const photo = new Float32Array([100, 100, 100, 0, 50, 300]);
    const rgba = heatmapOverPhoto(attributions, photo, 1, 2, 3);
    const c0 = divergingColor(2, 2);
    const c1 = divergingColor(-1, 2);
    expect(Array.from(rgba)).toEqual([
      Math.round(50 + c0[0] / 2), Math.round(50 + c0[1] / 2), Math.round(50 + c0[2] / 2), 255,
      Math.round(c1[0] / 2), Math.round(25 + c1[1] / 2), Math.round(127.5 + c1[2] / 2), 255,
    ]);
  });
});

describe('parseLabels', () => {
  it('reads lines or a JSON array', () => {
    expect(parseLabels('cat\ndog\r\n\n')).toEqual(['cat', 'dog']);
    expect(parseLabels('["a", "b c"]')).toEqual(['a', 'b c']);
    expect(() => parseLabels('[1, 2]')).toThrow(/array of strings/);
  });
});
