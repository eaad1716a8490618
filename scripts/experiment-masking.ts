/**
 * `npm run experiment:masking [-- options]`: reproduces the digit-conversion
 * ("masking") experiment of Shrikumar, Greenside, Kundaje 2017, §4.1 and
 * figure 5, on the project's MNIST model.
 *
 * For held-out digits of an original class c_o (never trained on:
 * public/models/mnist/split.json) that the model classifies as c_o, and a
 * target class c_t, each attribution method scores the pixels for
 * "c_o rather than c_t" (S_o − S_t, src/engine/attribution), the pixels with
 * a positive score are erased best first (set to the reference, black), up
 * to 157 pixels (20 % of the image), and the log-odds t_o − t_t is measured
 * after each pixel; the result is its mean change (before − after) over the
 * digits, per method, for 0 … 157 pixels erased. DeepLIFT explains the
 * digits of a pair in batches of MASKING_BATCH, one pass each (deepLiftBatch). Pairs: 8→3 and 8→6 (the
 * paper's figure) and 9→1, 4→1 (the authors' notebook).
 *
 * Writes experiments/masking/results.json ({"8->3": {"gradient": [158
 * numbers], ...}, ...}), results.md (tables, run details) and chart.svg.
 *
 * Options: --limit N (digits per pair; default all held-out digits of c_o,
 * 200), --backend wasm|cpu (default wasm), --steps N (integrated gradients,
 * default 50), --references K (DeepLIFT-SHAP: K training digits as
 * references, default 10), --pairs 8-3,8-6 (default the four), --methods
 * a,b (default all), --out DIR, --model model.json (default the app's),
 * --model-label text (how results.md names it).
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, optionalIndex, parseArgs } from '../src/cli/args';
import { useNodeBackend } from '../src/cli/node-backend';
import { deepLiftBatch, releaseDeepLiftCache, type DeepLiftRule } from '../src/engine/deeplift/deeplift';
import { erasureOrder, logOddsCurve, MAX_ERASED_PIXELS } from '../src/engine/attribution/masking';
import { releaseLogitsFunction, logitsFunction } from '../src/engine/attribution/logits-function';
import {
  ATTRIBUTION_METHODS, METHOD_LABELS, METHOD_NAMES, isMethodName, type MethodName,
} from '../src/engine/attribution/methods';
import { fileSystemIO } from '../src/engine/models/fs-io';
import { MODEL_DIR, PIXELS, loadMnistDigits, loadSplit, makeRng, selectDigits, shuffleInPlace } from './mnist-data';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT_DIR = path.join(ROOT, 'experiments/masking');
export const DEFAULT_PAIRS: Array<[number, number]> = [[8, 3], [8, 6], [9, 1], [4, 1]];
/** Seed for choosing the DeepLIFT-SHAP reference digits from the training split. */
export const SHAP_REFERENCE_SEED = 1_704_02685;

export interface MaskingOptions {
  limit?: number;
  backend: 'wasm' | 'cpu';
  steps: number;
  references: number;
  pairs: Array<[number, number]>;
  methods: MethodName[];
  outDir: string;
  modelJson: string;
  /** How results.md names the model (default: its path). */
  modelLabel?: string;
  /** Digits per DeepLIFT pass (default MASKING_BATCH). */
  batch?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** pair key ("8->3") → method → mean change in log-odds after erasing 0 … 157 pixels. */
export type MaskingResults = Record<string, Record<string, number[]>>;

export interface MaskingRun {
  results: MaskingResults;
  /** Digits used per pair (held-out, classified as the original class). */
  digits: Record<string, number>;
  /** Held-out digits of the original class that the model misclassified (skipped). */
  skipped: Record<string, number>;
  /** Mean milliseconds per attribution, per method. */
  msPerAttribution: Record<string, number>;
  seconds: number;
  backend: string;
  /** Which weights: model.json path and the first 12 hex digits of the shards' SHA-256. */
  model: string;
}

/** Digits explained in one DeepLIFT pass. */
export const MASKING_BATCH = 32;

/** The DeepLIFT methods, which the experiment runs batched. */
const DEEPLIFT_RULES: Partial<Record<MethodName, DeepLiftRule>> = { 'deeplift-rescale': 'rescale', 'deeplift-revealcancel': 'revealcancel' };

export const pairKey = ([o, t]: [number, number]): string => `${o}->${t}`;

const USAGE = 'usage: experiment:masking [--limit N] [--backend wasm|cpu] [--steps N] [--references K]' +
  ' [--pairs 8-3,8-6,9-1,4-1] [--methods ' + METHOD_NAMES.join(',') + '] [--out DIR] [--model model.json] [--model-label text]';

/** Parses the command line (throws UsageError). */
export function parseMaskingArgs(argv: readonly string[]): MaskingOptions {
  const args = parseArgs(argv, ['limit', 'backend', 'steps', 'references', 'pairs', 'methods', 'out', 'model', 'model-label'], [], USAGE);
  const backend = args.values.get('backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu\n${USAGE}`);
  const positive = (name: string, fallback: number) => {
    const v = optionalIndex(args, name) ?? fallback;
    if (v < 1) throw new UsageError(`--${name} must be at least 1`);
    return v;
  };
  const pairsArg = args.values.get('pairs');
  const pairs = pairsArg === undefined ? DEFAULT_PAIRS : pairsArg.split(',').map((p) => {
    const m = /^(\d)-(\d)$/.exec(p.trim());
    if (!m || m[1] === m[2]) throw new UsageError(`--pairs: "${p}" is not like 8-3\n${USAGE}`);
    return [Number(m[1]), Number(m[2])] as [number, number];
  });
  const methodsArg = args.values.get('methods');
  const methods = methodsArg === undefined ? [...METHOD_NAMES] : methodsArg.split(',').map((m) => {
    if (!isMethodName(m)) throw new UsageError(`--methods: unknown method "${m}"\n${USAGE}`);
    return m;
  });
  const limit = args.values.has('limit') ? positive('limit', 1) : undefined;
  return {
    limit, backend, pairs, methods,
    steps: positive('steps', 50),
    references: positive('references', 10),
    outDir: path.resolve(args.values.get('out') ?? DEFAULT_OUT_DIR),
    modelJson: path.resolve(args.values.get('model') ?? path.join(MODEL_DIR, 'model.json')),
    modelLabel: args.values.get('model-label'),
  };
}

async function predictedClasses(model: tf.LayersModel, pixels01: Float32Array, n: number): Promise<Int32Array> {
  const best = tf.tidy(() => tf.argMax(logitsFunction(model)(tf.tensor(pixels01, [n, 28, 28, 1])), 1));
  try {
    return (await best.data()) as Int32Array;
  } finally {
    best.dispose();
  }
}

/** Runs the experiment (does not write files). */
export async function runMaskingExperiment(options: MaskingOptions): Promise<MaskingRun> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  await useNodeBackend(options.backend);
  const model = await tf.loadLayersModel(fileSystemIO(options.modelJson));
  const digits = loadMnistDigits();
  const split = loadSplit();
  const shapRefs = shuffleInPlace([...split.train], makeRng(SHAP_REFERENCE_SEED)).slice(0, options.references);
  const references = tf.tensor(selectDigits(digits, shapRefs).pixels01, [shapRefs.length, 28, 28, 1]);
  const black = tf.zeros([1, 28, 28, 1]);
  const blackPixels = new Float32Array(PIXELS);
  const results: MaskingResults = {};
  const used: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const time: Record<string, { ms: number; n: number }> = Object.fromEntries(options.methods.map((m) => [m, { ms: 0, n: 0 }]));
  try {
    for (const pair of options.pairs) {
      const [original, target] = pair;
      const key = pairKey(pair);
      const held = selectDigits(digits, split.heldOut.filter((r) => r.digit === original));
      const predicted = await predictedClasses(model, held.pixels01, held.labels.length);
      const correct = held.refs.map((_, i) => i).filter((i) => predicted[i] === original);
      const chosen = options.limit === undefined ? correct : correct.slice(0, options.limit);
      used[key] = chosen.length;
      skipped[key] = held.refs.length - correct.length;
      const sums = Object.fromEntries(options.methods.map((m) => [m, new Float64Array(MAX_ERASED_PIXELS + 1)]));
      // DeepLIFT explains the pair's digits in batches, one pass each (deepLiftBatch); the others one digit at a time.
      const batched = new Map<MethodName, Float32Array[]>();
      const batchSize = Math.max(1, options.batch ?? MASKING_BATCH);
      for (const method of options.methods) {
        const rule = DEEPLIFT_RULES[method];
        if (!rule) continue;
        const maps: Float32Array[] = [];
        for (let b = 0; b < chosen.length; b += batchSize) {
          const rows = chosen.slice(b, b + batchSize);
          const batch = new Float32Array(rows.length * PIXELS);
          rows.forEach((i, k) => batch.set(held.pixels01.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS));
          const x = tf.tensor(batch, [rows.length, 28, 28, 1]);
          const t0 = performance.now();
          try {
            const results = await deepLiftBatch(model, x, { rule, target: original, contrast: target, reference: black });
            maps.push(...results.map((r) => r.attributions));
          } finally {
            x.dispose();
          }
          time[method].ms += performance.now() - t0;
          time[method].n += rows.length;
        }
        batched.set(method, maps);
      }
      for (const [j, i] of chosen.entries()) {
        const pixels = held.pixels01.subarray(i * PIXELS, (i + 1) * PIXELS);
        const x = tf.tensor(pixels, [1, 28, 28, 1]);
        try {
          for (const method of options.methods) {
            let attributions = batched.get(method)?.[j];
            if (!attributions) {
              const t0 = performance.now();
              const r = await ATTRIBUTION_METHODS[method](model, x, {
                target: original, contrast: target, reference: black, steps: options.steps, references,
              });
              time[method].ms += performance.now() - t0;
              time[method].n += 1;
              attributions = r.attributions;
            }
            const order = erasureOrder(attributions, MAX_ERASED_PIXELS);
            const { change } = await logOddsCurve(model, pixels, blackPixels, [28, 28, 1], order, original, target);
            const acc = sums[method];
            for (let k = 0; k < acc.length; k++) acc[k] += change[k];
          }
        } finally {
          x.dispose();
        }
        if ((j + 1) % 20 === 0 || j + 1 === chosen.length) log(`${key}: ${j + 1}/${chosen.length} digits`);
      }
      results[key] = Object.fromEntries(options.methods.map((m) => [
        m, Array.from(sums[m], (v) => (chosen.length > 0 ? Number((v / chosen.length).toFixed(5)) : 0)),
      ]));
    }
  } finally {
    references.dispose();
    black.dispose();
    releaseDeepLiftCache(model);
    releaseLogitsFunction(model);
    model.dispose();
  }
  return {
    results, digits: used, skipped,
    msPerAttribution: Object.fromEntries(options.methods.map((m) => [m, Number((time[m].ms / Math.max(1, time[m].n)).toFixed(2))])),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    backend: options.backend,
    model: `${options.modelLabel ?? path.relative(ROOT, options.modelJson)} (weights sha256 ${weightsHash(options.modelJson)})`,
  };
}

/** First 12 hex digits of the SHA-256 of the model's weight shards, to tell weight versions apart. */
function weightsHash(modelJson: string): string {
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  const hash = createHash('sha256');
  for (const group of json.weightsManifest) for (const p of group.paths) hash.update(readFileSync(path.join(path.dirname(modelJson), p)));
  return hash.digest('hex').slice(0, 12);
}

/** Pixel counts shown in the tables. */
export const TABLE_COLUMNS = [0, 20, 40, 60, 80, 100, 120, 140, 157];

/** Markdown: one table per pair (methods ranked by the change at 157 pixels) and a summary. */
export function resultsMarkdown(run: MaskingRun, options: MaskingOptions): string {
  const lines: string[] = ['# Masking experiment: results', ''];
  lines.push(`Mean change in log-odds (t_orig − t_target before, minus after) after erasing the given number of pixels, ` +
    `ranked by each method's S_orig − S_target > 0, erased to black. Generated by \`npm run experiment:masking\`` +
    ` (model ${run.model}, backend ${run.backend}, integrated gradients ${options.steps} steps, DeepLIFT-SHAP over ${options.references} training digits` +
    `${options.limit === undefined ? '' : `, at most ${options.limit} digits per pair`}; ${run.seconds} s).`, '');
  const keys = Object.keys(run.results);
  for (const key of keys) {
    const byMethod = run.results[key];
    const ranked = Object.keys(byMethod).sort((a, b) => byMethod[b][MAX_ERASED_PIXELS] - byMethod[a][MAX_ERASED_PIXELS]);
    lines.push(`## ${key.replace('->', ' → ')} (${run.digits[key]} held-out digits, ${run.skipped[key]} misclassified skipped)`, '');
    lines.push(`| method | ${TABLE_COLUMNS.map((c) => `${c} px`).join(' | ')} |`);
    lines.push(`|---|${TABLE_COLUMNS.map(() => '---:').join('|')}|`);
    for (const m of ranked) {
      lines.push(`| ${METHOD_LABELS[m as MethodName] ?? m} | ${TABLE_COLUMNS.map((c) => byMethod[m][c].toFixed(2)).join(' | ')} |`);
    }
    lines.push('');
  }
  const methods = keys.length > 0 ? Object.keys(run.results[keys[0]]) : [];
  const mean = (m: string) => keys.reduce((s, k) => s + run.results[k][m][MAX_ERASED_PIXELS], 0) / Math.max(1, keys.length);
  lines.push('## Summary: mean over the pairs at 157 pixels', '');
  lines.push('| rank | method | mean change at 157 px | ms per attribution |', '|---:|---|---:|---:|');
  [...methods].sort((a, b) => mean(b) - mean(a)).forEach((m, i) => {
    lines.push(`| ${i + 1} | ${METHOD_LABELS[m as MethodName] ?? m} | ${mean(m).toFixed(2)} | ${run.msPerAttribution[m]} |`);
  });
  lines.push('');
  return lines.join('\n');
}

/** Okabe–Ito colours (colour-blind safe); gradient-family methods dashed. */
const STYLE: Record<MethodName, { color: string; dash: string }> = {
  gradient: { color: '#000000', dash: '6 4' },
  'guided-backprop': { color: '#CC79A7', dash: '6 4' },
  'gradient-x-input': { color: '#E69F00', dash: '2 3' },
  'integrated-gradients': { color: '#56B4E9', dash: '2 3' },
  'deeplift-rescale': { color: '#009E73', dash: '' },
  'deeplift-revealcancel': { color: '#D55E00', dash: '' },
  'deeplift-shap': { color: '#0072B2', dash: '' },
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** SVG: one panel per pair (x: pixels erased, y: mean change in log-odds), shared legend. */
export function resultsSvg(results: MaskingResults): string {
  const keys = Object.keys(results);
  const methods = keys.length > 0 ? Object.keys(results[keys[0]]) as MethodName[] : [];
  const cols = Math.min(2, Math.max(1, keys.length));
  const rows = Math.ceil(keys.length / cols);
  const pw = 360; const ph = 240; const m = { l: 52, r: 12, t: 28, b: 40 };
  const legendH = 24 + 18 * Math.ceil(methods.length / 2);
  const width = cols * pw;
  const height = rows * ph + legendH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  keys.forEach((key, p) => {
    const ox = (p % cols) * pw; const oy = Math.floor(p / cols) * ph;
    const x0 = ox + m.l; const x1 = ox + pw - m.r; const y0 = oy + m.t; const y1 = oy + ph - m.b;
    const all = methods.flatMap((mm) => results[key][mm]);
    const lo = Math.min(0, ...all); const hi = Math.max(1e-6, ...all);
    const step = niceStep((hi - lo) / 5);
    const yMin = Math.floor(lo / step) * step; const yMax = Math.ceil(hi / step) * step;
    const sx = (k: number) => x0 + (k / MAX_ERASED_PIXELS) * (x1 - x0);
    const sy = (v: number) => y1 - ((v - yMin) / (yMax - yMin)) * (y1 - y0);
    out.push(`<text x="${(x0 + x1) / 2}" y="${oy + 18}" text-anchor="middle" font-weight="bold">${esc(key.replace('->', ' → '))}</text>`);
    for (let v = yMin; v <= yMax + step / 2; v += step) {
      out.push(`<line x1="${x0}" x2="${x1}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#e0e0e0"/>`);
      out.push(`<text x="${x0 - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toFixed(6))}</text>`);
    }
    for (const k of [0, 40, 80, 120, 157]) {
      out.push(`<text x="${sx(k).toFixed(1)}" y="${y1 + 16}" text-anchor="middle">${k}</text>`);
    }
    out.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#666"/>`);
    out.push(`<text x="${(x0 + x1) / 2}" y="${y1 + 32}" text-anchor="middle">pixels erased</text>`);
    out.push(`<text transform="translate(${ox + 14} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">Δ log-odds</text>`);
    for (const mm of methods) {
      const pts = results[key][mm].map((v, k) => `${sx(k).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
      const s = STYLE[mm] ?? { color: '#888', dash: '' };
      out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}><title>${esc(METHOD_LABELS[mm] ?? mm)}</title></polyline>`);
    }
  });
  const ly = rows * ph + 16;
  methods.forEach((mm, i) => {
    const x = 20 + (i % 2) * (width / 2); const y = ly + Math.floor(i / 2) * 18;
    const s = STYLE[mm] ?? { color: '#888', dash: '' };
    out.push(`<line x1="${x}" x2="${x + 28}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${x + 36}" y="${y + 4}">${esc(METHOD_LABELS[mm] ?? mm)}</text>`);
  });
  out.push('</svg>', '');
  return out.join('\n');
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** Writes results.json, results.md and chart.svg to options.outDir. */
export function writeMaskingOutputs(run: MaskingRun, options: MaskingOptions): void {
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(path.join(options.outDir, 'results.json'), `${JSON.stringify(run.results)}\n`);
  writeFileSync(path.join(options.outDir, 'results.md'), resultsMarkdown(run, options));
  writeFileSync(path.join(options.outDir, 'chart.svg'), resultsSvg(run.results));
}

async function main(): Promise<void> {
  let options: MaskingOptions;
  try {
    options = parseMaskingArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
    return;
  }
  options.log = (line) => console.error(line);
  const run = await runMaskingExperiment(options);
  writeMaskingOutputs(run, options);
  console.log(resultsMarkdown(run, options));
  console.error(`wrote ${path.relative(process.cwd(), options.outDir)}/results.json, results.md, chart.svg in ${run.seconds} s`);
}

if (process.argv[1] !== undefined && /experiment-masking\.[cm]?[jt]s$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    process.exitCode = 1;
  });
}
