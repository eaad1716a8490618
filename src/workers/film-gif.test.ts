import { describe, expect, it } from 'vitest';
import { createGifWriter } from './film-gif';

/** Walks a GIF's blocks: the logical screen size, the frames' delays (1/100 s) and whether it loops. */
function readGif(buffer: ArrayBuffer) {
  const b = new Uint8Array(buffer);
  const header = String.fromCharCode(...b.slice(0, 6));
  const width = b[6]! | (b[7]! << 8);
  const height = b[8]! | (b[9]! << 8);
  let p = 13;
  if (b[10]! & 0x80) p += 3 * (1 << ((b[10]! & 7) + 1));
  const delays: number[] = [];
  let loops = false;
  const skipSubBlocks = () => {
    while (b[p]! !== 0) p += b[p]! + 1;
    p++;
  };
  while (p < b.length && b[p] !== 0x3b) {
    if (b[p] === 0x21) {
      const label = b[p + 1];
      if (label === 0xf9) delays.push(b[p + 4]! | (b[p + 5]! << 8));
      if (label === 0xff && String.fromCharCode(...b.slice(p + 3, p + 14)) === 'NETSCAPE2.0') loops = true;
      p += 2;
      skipSubBlocks();
    } else if (b[p] === 0x2c) {
      const packed = b[p + 9]!;
      p += 10;
      if (packed & 0x80) p += 3 * (1 << ((packed & 7) + 1));
      p++; // LZW minimum code size
      skipSubBlocks();
    } else throw new Error(`unexpected block 0x${b[p]!.toString(16)} at ${p}`);
  }
  return { header, width, height, delays, loops, trailer: b[p] === 0x3b };
}

describe('GIF export', () => {
  it('writes a looping GIF89a with one frame per add and the frame delays', () => {
    const gif = createGifWriter();
    for (let k = 0; k < 3; k++) {
      const rgba = new Uint8ClampedArray(10 * 6 * 4);
      for (let i = 0; i < 60; i++) rgba.set([(i * 20 + k * 50) % 256, 100, k * 80, 255], i * 4);
      gif.add(rgba, 10, 6, 1 / 12);
    }
    expect(gif.frames).toBe(3);
    const info = readGif(gif.finish());
    // 1/12 s = 83 ms → 8 hundredths (gifenc rounds to tens of ms).
    expect(info).toEqual({ header: 'GIF89a', width: 10, height: 6, delays: [8, 8, 8], loops: true, trailer: true });
  });
});
