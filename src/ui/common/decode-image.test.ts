import { describe, expect, it } from 'vitest';
import { BadImageError, checkImageSize, fitWithin, sniffImage } from './decode-image';

function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  return b;
}

function jpegHeader(width: number, height: number): Uint8Array {
  // SOI, APP0 of length 16, then SOF0 with height/width.
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array(14).fill(0)];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 3];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, ...new Array(12).fill(0)]);
}

const text = (s: string) => new TextEncoder().encode(s);

/** A JPEG header with an Exif APP1 segment (TIFF, one IFD0 entry: orientation) before the SOF. */
function jpegWithOrientation(width: number, height: number, orientation: number, littleEndian: boolean): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const v = new DataView(tiff.buffer);
  tiff.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  v.setUint16(2, 42, littleEndian);
  v.setUint32(4, 8, littleEndian);
  v.setUint16(8, 1, littleEndian);
  v.setUint16(10, 0x0112, littleEndian);
  v.setUint16(12, 3, littleEndian); // SHORT
  v.setUint32(14, 1, littleEndian);
  v.setUint16(18, orientation, littleEndian);
  const payload = [...text('Exif'), 0, 0, ...tiff];
  const length = payload.length + 2;
  const app1 = [0xff, 0xe1, length >> 8, length & 255, ...payload];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 3];
  return new Uint8Array([0xff, 0xd8, ...app1, ...sof, ...new Array(12).fill(0)]);
}

describe('sniffImage', () => {
  it('reads PNG and JPEG sizes from the header', () => {
    expect(sniffImage(pngHeader(640, 427))).toEqual({ kind: 'png', width: 640, height: 427 });
    expect(sniffImage(jpegHeader(451, 300))).toEqual({ kind: 'jpeg', width: 451, height: 300 });
  });

  it('reads the Exif orientation of a JPEG (both byte orders), which decides the shown size', () => {
    expect(sniffImage(jpegWithOrientation(4000, 3000, 6, true))).toEqual({ kind: 'jpeg', width: 4000, height: 3000, orientation: 6 });
    expect(sniffImage(jpegWithOrientation(4000, 3000, 3, false))).toEqual({ kind: 'jpeg', width: 4000, height: 3000, orientation: 3 });
    expect(sniffImage(jpegWithOrientation(10, 10, 9, true)).orientation).toBeUndefined();
  });

  it('recognises GIF, HEIC, SVG and refuses text', () => {
    const gif = new Uint8Array([...text('GIF89a'), 10, 0, 20, 0]);
    expect(sniffImage(gif)).toEqual({ kind: 'gif', width: 10, height: 20 });
    const heic = new Uint8Array([0, 0, 0, 24, ...text('ftypheic'), 0, 0, 0, 0]);
    expect(sniffImage(heic).kind).toBe('heic');
    expect(sniffImage(text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')).kind).toBe('svg');
    expect(sniffImage(text('hello, I am a text file renamed .png')).kind).toBe('unknown');
    expect(sniffImage(new Uint8Array([0x89, 0x50])).kind).toBe('unknown');
  });
});

describe('checkImageSize', () => {
  it('scales the long side down to maxSide and keeps the aspect ratio', () => {
    expect(fitWithin(1024, 512, 512)).toEqual({ width: 512, height: 256 });
    expect(fitWithin(100, 50, 512)).toEqual({ width: 100, height: 50 });
    expect(checkImageSize(4000, 3000, { maxSide: 2048, minSide: 32 })).toEqual({ width: 2048, height: 1536 });
  });

  it('refuses enormous, tiny and very thin images with a clear message', () => {
    expect(() => checkImageSize(30000, 10, { maxSide: 512 })).toThrow(/too large/);
    expect(() => checkImageSize(12000, 12000, { maxSide: 512 })).toThrow(BadImageError);
    expect(() => checkImageSize(20, 20, { maxSide: 512, minSide: 32 })).toThrow(/too small.*at least 32/);
    expect(() => checkImageSize(5000, 40, { maxSide: 512, minSide: 32 })).toThrow(/too thin/);
    expect(() => checkImageSize(0, 10, { maxSide: 512 })).toThrow(/no pixels/);
  });
});
