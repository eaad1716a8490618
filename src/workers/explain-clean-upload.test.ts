import { describe, expect, it } from 'vitest';
import { createExplainApi } from './explain-api';
import { digitPhoto } from '../engine/image/testing/synthetic-photo';
import { rgbaToGray01, uploadToInk } from '../engine/image/mnist-preprocess';

const api = createExplainApi({
  startBackend: async () => ({ name: 'cpu', requested: 'cpu', fallbackReason: null, adapter: null, isSoftwareGpu: false }),
  loadModel: async () => {
    throw new Error('not needed to clean an upload');
  },
});

describe('ExplainApi.cleanUpload (the photo clean-up, off the main thread)', () => {
  it('returns the same clean ink as the engine, without a backend or model', async () => {
    const digit = Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - 14) < 2 && i > 112 && i < 672 ? 1 : 0));
    const gray = rgbaToGray01(digitPhoto(digit, { width: 120, height: 100, digitSide: 60, rotation: 4, seed: 2 }), 120, 100);
    const expected = uploadToInk(gray, 120, 100);
    const got = await api.cleanUpload!(gray.slice(), 120, 100);
    expect(got.isPhoto).toBe(true);
    expect([got.width, got.height]).toEqual([expected.width, expected.height]);
    expect(Array.from(got.ink01)).toEqual(Array.from(expected.ink01));
  });

  it('rejects a blank picture with EmptyInputError', async () => {
    await expect(api.cleanUpload!(new Float32Array(400).fill(0.7), 20, 20)).rejects.toMatchObject({ name: 'EmptyInputError' });
  });
});
