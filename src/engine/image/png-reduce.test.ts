import { deflateSync } from 'node:zlib';
import { PNG, type ColorType } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodePngReduced, unfilter } from './png-reduce';

/** A stream of `bytes` in small pieces (so chunk and row boundaries fall anywhere). */
function streamOf(bytes: Uint8Array, piece = 997): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.slice(at, at + piece));
        at += piece;
      }
    },
  });
}

/** The same area average the decoder makes, computed from fully decoded RGBA (float64). */
function reference(rgba: ArrayLike<number>, width: number, height: number, tw: number, th: number): number[] {
  const sums = new Float64Array(tw * th * 5);
  for (let y = 0; y < height; y++) {
    const oy = Math.min(th - 1, Math.floor((y * th) / height));
    for (let x = 0; x < width; x++) {
      const ox = Math.min(tw - 1, Math.floor((x * tw) / width));
      const i = (y * width + x) * 4;
      const a = rgba[i + 3]!;
      const s = (oy * tw + ox) * 5;
      sums[s] += rgba[i]! * a;
      sums[s + 1] += rgba[i + 1]! * a;
      sums[s + 2] += rgba[i + 2]! * a;
      sums[s + 3] += a;
      sums[s + 4] += 1;
    }
  }
  const out: number[] = [];
  for (let p = 0; p < tw * th; p++) {
    const s = p * 5;
    const a = sums[s + 3]!;
    out.push(a > 0 ? sums[s]! / a : 0, a > 0 ? sums[s + 1]! / a : 0, a > 0 ? sums[s + 2]! / a : 0, a / sums[s + 4]!);
  }
  return out;
}

function photo(width: number, height: number): PNG {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      png.data[i] = (x * 7 + y * 3) & 255;
      png.data[i + 1] = (x * y) & 255;
      png.data[i + 2] = ((x - y) * 5) & 255;
      png.data[i + 3] = (x + 2 * y) % 3 === 0 ? 40 : 255;
    }
  }
  return png;
}

function expectClose(actual: Uint8ClampedArray, expected: number[]) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  // Uint8ClampedArray rounds to the nearest integer.
  expect(worst).toBeLessThanOrEqual(0.5 + 1e-9);
}

describe('decodePngReduced', () => {
  const cases: { colorType: ColorType; bitDepth: 8 | 16; name: string }[] = [
    { colorType: 6, bitDepth: 8, name: 'RGBA 8' },
    { colorType: 2, bitDepth: 8, name: 'RGB 8' },
    { colorType: 0, bitDepth: 8, name: 'grey 8' },
    { colorType: 4, bitDepth: 8, name: 'grey+alpha 8' },
    { colorType: 6, bitDepth: 16, name: 'RGBA 16' },
  ];
  for (const { colorType, bitDepth, name } of cases) {
    it(`${name}: equals the float64 area average of the full decode (pngjs, all five filters)`, async () => {
      const source = photo(97, 61);
      const file = PNG.sync.write(source, { colorType, bitDepth, inputHasAlpha: true });
      const full = PNG.sync.read(file); // what the file holds, as RGBA 8 (pngjs's own decoder)
      const result = await decodePngReduced(streamOf(file), 40);
      expect(result).not.toBeNull();
      expect([result!.width, result!.height, result!.originalWidth, result!.originalHeight]).toEqual([40, 25, 97, 61]);
      expectClose(result!.pixels, reference(full.data, 97, 61, 40, 25));
    });
  }

  it('a palette image with 4-bit indices and tRNS alpha', async () => {
    const width = 13;
    const height = 9;
    const palette = [255, 0, 0, 0, 255, 0, 0, 0, 255];
    const alpha = [255, 128, 0];
    const index = (x: number, y: number) => (x + y) % 3;
    const rowBytes = Math.ceil(width / 2);
    const raw = new Uint8Array((rowBytes + 1) * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) raw[y * (rowBytes + 1) + 1 + (x >> 1)] |= index(x, y) << (x & 1 ? 0 : 4);
    }
    const chunk = (type: string, data: Uint8Array) => {
      const b = Buffer.alloc(12 + data.length);
      b.writeUInt32BE(data.length, 0);
      b.write(type, 4, 'ascii');
      Buffer.from(data).copy(b, 8);
      return b;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 4;
    ihdr[9] = 3;
    const file = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('PLTE', Uint8Array.from(palette)),
      chunk('tRNS', Uint8Array.from(alpha)),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', new Uint8Array(0)),
    ]);
    const rgba: number[] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = index(x, y);
        rgba.push(palette[3 * p]!, palette[3 * p + 1]!, palette[3 * p + 2]!, alpha[p]!);
      }
    }
    const result = await decodePngReduced(streamOf(file, 5), 13);
    expectClose(result!.pixels, reference(rgba, width, height, 13, 9));
    const half = await decodePngReduced(streamOf(file, 5), 6);
    expectClose(half!.pixels, reference(rgba, width, height, 6, 4));
  });

  it('refuses a truncated file, and leaves interlaced files to the browser', async () => {
    const file = PNG.sync.write(photo(40, 40));
    await expect(decodePngReduced(streamOf(file.subarray(0, file.length - 200)), 16)).rejects.toMatchObject({ name: 'BadImageError' });
    const interlaced = Buffer.from(file);
    interlaced[8 + 8 + 12] = 1; // IHDR interlace byte (the CRC is not checked)
    expect(await decodePngReduced(streamOf(interlaced), 16)).toBeNull();
  });

  it('unfilter: Paeth and Average by hand', () => {
    const previous = Uint8Array.from([10, 20, 30]);
    const avg = Uint8Array.from([1, 2, 3]);
    unfilter(3, avg, previous, 1);
    expect(Array.from(avg)).toEqual([1 + 5, 2 + ((6 + 20) >> 1), 3 + ((15 + 30) >> 1)]);
    const p = Uint8Array.from([5, 5, 5]);
    unfilter(4, p, previous, 1);
    // x0: a=0,b=10,c=0 → b; x1: a=15,b=20,c=10 → p=25: pa=10,pb=5,pc=15 → b=20; x2: a=25,b=30,c=20 → pa=10,pb=5 → b
    expect(Array.from(p)).toEqual([15, 25, 35]);
  });
});
