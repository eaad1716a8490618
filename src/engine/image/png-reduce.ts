/**
 * Decodes a PNG (ISO/IEC 15948, W3C PNG 2nd edition) straight to a reduced
 * size while it streams in: the IDAT data is inflated as it arrives, each
 * scanline is unfiltered (§9: None, Sub, Up, Average, Paeth) against the one
 * before it, turned into RGBA and added into the output row it falls in (area
 * averaging, colour weighted by alpha). Only two scanlines and one output row
 * of sums are held at a time, so a 10000×10000 photo never exists at full size.
 * Browsers decode PNG at full size even when asked for a smaller bitmap; this
 * is what makes a huge PNG cheap. Interlaced (Adam7) files are not handled
 * (null: the caller decodes them the usual way).
 */

export interface ReducedImage {
  width: number;
  height: number;
  /** RGBA, width·height·4, not premultiplied. */
  pixels: Uint8ClampedArray<ArrayBuffer>;
  originalWidth: number;
  originalHeight: number;
}

export class PngDecodeError extends Error {
  override name = 'BadImageError';
}

/** Compressed bytes handed to the inflater at a time (≤ about 4 MB of pixels even for a flat image). */
const INFLATE_PIECE = 4096;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads exact byte counts from a stream of chunks. */
class ByteReader {
  private chunks: Uint8Array[] = [];
  private available = 0;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async read(n: number): Promise<Uint8Array> {
    while (this.available < n) {
      const { value, done } = await this.reader.read();
      if (done) throw new PngDecodeError('The PNG file is truncated.');
      this.chunks.push(value);
      this.available += value.length;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.available -= n;
    return out;
  }
}

const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** Fits (w, h) inside maxSide, keeping the aspect ratio; never scales up. */
function fit(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes scanline filter `type` in place (`bpp`: bytes per complete pixel, at least 1). */
export function unfilter(type: number, row: Uint8Array, previous: Uint8Array, bpp: number): void {
  const n = row.length;
  switch (type) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) row[i] = (row[i]! + row[i - bpp]!) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i++) row[i] = (row[i]! + previous[i]!) & 255;
      return;
    case 3:
      for (let i = 0; i < n; i++) row[i] = (row[i]! + (((i >= bpp ? row[i - bpp]! : 0) + previous[i]!) >> 1)) & 255;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? row[i - bpp]! : 0;
        const c = i >= bpp ? previous[i - bpp]! : 0;
        row[i] = (row[i]! + paeth(a, previous[i]!, c)) & 255;
      }
      return;
    default:
      throw new PngDecodeError(`The PNG file is damaged (unknown filter type ${type}).`);
  }
}

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Decodes the PNG in `stream` at most `maxSide` pixels on its long side.
 * `inflate` turns zlib data into raw bytes (default: DecompressionStream('deflate')).
 * Returns null for interlaced files. Throws BadImageError-named errors for damaged ones.
 */
export async function decodePngReduced(
  stream: ReadableStream<Uint8Array>,
  maxSide: number,
  inflate: (zlib: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array> = (zlib) => zlib.pipeThrough(new DecompressionStream('deflate') as unknown as TransformStream<Uint8Array, Uint8Array>),
): Promise<ReducedImage | null> {
  const input = new ByteReader(stream.getReader());
  const signature = await input.read(8);
  if (!SIGNATURE.every((b, i) => signature[i] === b)) throw new PngDecodeError('This file is not a PNG.');

  let header: Header | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  /** The IDAT data goes in here; the row consumer reads the inflated side. */
  let zlibWriter: WritableStreamDefaultWriter<Uint8Array> | null = null;
  let consumer: Promise<ReducedImage> | null = null;

  for (;;) {
    const head = await input.read(8);
    const length = u32(head, 0);
    const type = String.fromCharCode(head[4]!, head[5]!, head[6]!, head[7]!);
    const data = await input.read(length);
    await input.read(4); // CRC (the inflater and the row count catch real damage)
    if (type === 'IHDR') {
      header = { width: u32(data, 0), height: u32(data, 4), bitDepth: data[8]!, colorType: data[9]!, interlace: data[12]! };
      if (CHANNELS[header.colorType] === undefined) throw new PngDecodeError(`The PNG file is damaged (colour type ${header.colorType}).`);
      if (header.interlace !== 0) return null;
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'tRNS') {
      transparency = data;
    } else if (type === 'IDAT') {
      if (!header) throw new PngDecodeError('The PNG file is damaged (no header).');
      if (!zlibWriter) {
        const pipe = new TransformStream<Uint8Array, Uint8Array>();
        zlibWriter = pipe.writable.getWriter();
        consumer = consumeRows(inflate(pipe.readable), header, palette, transparency, maxSide);
        // A failure of the consumer must not leave the writer waiting forever.
        consumer.catch(() => zlibWriter?.abort().catch(() => undefined));
      }
      // In small pieces: an inflater expands each piece at once (up to ~1000× for flat images),
      // so the piece size bounds the memory in flight.
      for (let at = 0; at < data.length; at += INFLATE_PIECE) {
        await Promise.race([zlibWriter.write(data.subarray(at, at + INFLATE_PIECE)), consumer!.then(() => undefined)]);
      }
    } else if (type === 'IEND') {
      break;
    }
  }
  if (!zlibWriter || !consumer) throw new PngDecodeError('The PNG file has no image data.');
  await zlibWriter.close().catch(() => undefined);
  return consumer;
}

async function consumeRows(
  raw: ReadableStream<Uint8Array>,
  header: Header,
  palette: Uint8Array | null,
  transparency: Uint8Array | null,
  maxSide: number,
): Promise<ReducedImage> {
  const { width, height, bitDepth, colorType } = header;
  const channels = CHANNELS[colorType]!;
  const bitsPerPixel = channels * bitDepth;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const target = fit(width, height, maxSide);
  const { width: tw, height: th } = target;

  // Output column of each source column, and the row sums (alpha-weighted colour, alpha, count).
  const column = new Uint32Array(width);
  for (let x = 0; x < width; x++) column[x] = Math.min(tw - 1, Math.floor((x * tw) / width));
  const sums = new Float64Array(tw * 5);
  const out = new Uint8ClampedArray(tw * th * 4);
  let outRow = 0;
  const flush = () => {
    for (let ox = 0; ox < tw; ox++) {
      const s = ox * 5;
      const count = sums[s + 4]!;
      const alpha = sums[s + 3]!;
      const o = (outRow * tw + ox) * 4;
      if (count === 0) continue;
      if (alpha > 0) {
        out[o] = sums[s]! / alpha;
        out[o + 1] = sums[s + 1]! / alpha;
        out[o + 2] = sums[s + 2]! / alpha;
      }
      out[o + 3] = alpha / count;
    }
    sums.fill(0);
  };

  const maxValue = (1 << bitDepth) - 1;
  const sample = (row: Uint8Array, index: number): number => {
    // The index-th sample of the row, as 0..255.
    if (bitDepth === 8) return row[index]!;
    if (bitDepth === 16) return Math.round((((row[2 * index]! << 8) | row[2 * index + 1]!) * 255) / 65535);
    const bit = index * bitDepth;
    const v = (row[bit >> 3]! >> (8 - bitDepth - (bit & 7))) & maxValue;
    return colorType === 3 ? v : Math.round((v * 255) / maxValue);
  };
  const rawSample16 = (row: Uint8Array, index: number): number => (bitDepth === 16 ? (row[2 * index]! << 8) | row[2 * index + 1]! : -1);
  // A tRNS colour key for grey or RGB images, compared at the file's own bit depth.
  const key = transparency && (colorType === 0 || colorType === 2)
    ? Array.from({ length: colorType === 0 ? 1 : 3 }, (_, c) => (transparency[2 * c]! << 8) | transparency[2 * c + 1]!)
    : null;
  const rawValue = (row: Uint8Array, index: number): number => {
    if (bitDepth === 16) return rawSample16(row, index);
    if (bitDepth === 8) return row[index]!;
    const bit = index * bitDepth;
    return (row[bit >> 3]! >> (8 - bitDepth - (bit & 7))) & maxValue;
  };

  const addRow = (row: Uint8Array) => {
    for (let x = 0; x < width; x++) {
      let r: number;
      let g: number;
      let b: number;
      let a = 255;
      const i = x * channels;
      switch (colorType) {
        case 0:
          r = g = b = sample(row, i);
          if (key && rawValue(row, i) === key[0]) a = 0;
          break;
        case 2:
          r = sample(row, i);
          g = sample(row, i + 1);
          b = sample(row, i + 2);
          if (key && rawValue(row, i) === key[0] && rawValue(row, i + 1) === key[1] && rawValue(row, i + 2) === key[2]) a = 0;
          break;
        case 3: {
          const p = sample(row, i);
          if (!palette || 3 * p + 2 >= palette.length) throw new PngDecodeError('The PNG file is damaged (palette index out of range).');
          r = palette[3 * p]!;
          g = palette[3 * p + 1]!;
          b = palette[3 * p + 2]!;
          if (transparency && p < transparency.length) a = transparency[p]!;
          break;
        }
        case 4:
          r = g = b = sample(row, i);
          a = sample(row, i + 1);
          break;
        default:
          r = sample(row, i);
          g = sample(row, i + 1);
          b = sample(row, i + 2);
          a = sample(row, i + 3);
      }
      const s = column[x]! * 5;
      sums[s] += r * a;
      sums[s + 1] += g * a;
      sums[s + 2] += b * a;
      sums[s + 3] += a;
      sums[s + 4] += 1;
    }
  };

  let previous = new Uint8Array(rowBytes);
  let current = new Uint8Array(rowBytes);
  let filterType = -1;
  let filled = 0;
  let y = 0;
  const reader = raw.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    let k = 0;
    while (k < value.length && y < height) {
      if (filterType < 0) {
        filterType = value[k++]!;
        continue;
      }
      const take = Math.min(rowBytes - filled, value.length - k);
      current.set(value.subarray(k, k + take), filled);
      filled += take;
      k += take;
      if (filled < rowBytes) continue;
      unfilter(filterType, current, previous, bpp);
      const oy = Math.min(th - 1, Math.floor((y * th) / height));
      if (oy !== outRow) {
        flush();
        outRow = oy;
      }
      addRow(current);
      [previous, current] = [current, previous];
      filterType = -1;
      filled = 0;
      y++;
    }
  }
  if (y < height) throw new PngDecodeError(`The PNG file is truncated (${y} of ${height} rows).`);
  flush();
  return { width: tw, height: th, pixels: out, originalWidth: width, originalHeight: height };
}
