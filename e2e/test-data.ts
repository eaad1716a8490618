/**
 * Test data made in code, shared by the end-to-end specs and the browser
 * benchmarks: MNIST digits from the `mnist` package and small PNGs.
 * No Playwright here, so the benchmarks can use it too.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);

/** The n-th digit of class `digit` from the `mnist` package: 784 values in [0, 1], light on dark. */
export function mnistDigit(digit: number, n = 0): number[] {
  const file = require.resolve(`mnist/src/digits/${digit}.json`);
  const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
  return data.slice(n * 784, (n + 1) * 784);
}

/** A PNG of an MNIST digit scaled up `scale`×, optionally as dark ink on white paper. */
export function digitPng(pixels01: number[], scale = 4, darkOnLight = false): Buffer {
  const side = 28 * scale;
  const png = new PNG({ width: side, height: side });
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = pixels01[Math.floor(y / scale) * 28 + Math.floor(x / scale)]!;
      const g = Math.round(255 * (darkOnLight ? 1 - v : v));
      const i = (y * side + x) * 4;
      png.data[i] = g;
      png.data[i + 1] = g;
      png.data[i + 2] = g;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** A small colourful test photo (smooth gradients and a few shapes). */
export function tinyPhotoPng(width = 64, height = 48): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const inDisc = (x - width / 3) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2;
      png.data[i] = inDisc ? 230 : Math.round((255 * x) / width);
      png.data[i + 1] = inDisc ? 180 : Math.round((255 * y) / height);
      png.data[i + 2] = inDisc ? 40 : 160;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
