import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../src/engine/attribution/methods';
import {
  DEFAULT_PAIRS, parseMaskingArgs, resultsSvg, runMaskingExperiment, writeMaskingOutputs,
} from './experiment-masking';

const dir = mkdtempSync(path.join(tmpdir(), 'masking-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('masking experiment', () => {
  it('parses its options and rejects bad ones', () => {
    const o = parseMaskingArgs(['--limit', '3', '--pairs', '8-3,4-1', '--methods', 'gradient,deeplift-rescale', '--backend', 'cpu']);
    expect(o.limit).toBe(3);
    expect(o.pairs).toEqual([[8, 3], [4, 1]]);
    expect(o.methods).toEqual(['gradient', 'deeplift-rescale']);
    expect(parseMaskingArgs([]).pairs).toEqual(DEFAULT_PAIRS);
    expect(parseMaskingArgs([]).methods).toEqual([...METHOD_NAMES]);
    expect(() => parseMaskingArgs(['--pairs', '8-8'])).toThrow(/8-8/);
    expect(() => parseMaskingArgs(['--methods', 'lime'])).toThrow(/lime/);
    expect(() => parseMaskingArgs(['--limit', '0'])).toThrow(/limit/);
  });

  it('runs on a handful of held-out digits and writes results.json, results.md and chart.svg', async () => {
    const options = { ...parseMaskingArgs(['--limit', '2', '--pairs', '8-3', '--backend', 'wasm', '--steps', '4', '--references', '2', '--out', dir]) };
    const before = tf.memory().numTensors;
    const run = await runMaskingExperiment(options);
    expect(Object.keys(run.results)).toEqual(['8->3']);
    expect(run.digits['8->3']).toBe(2);
    for (const m of METHOD_NAMES) {
      const curve = run.results['8->3'][m];
      expect(curve.length).toBe(158);
      expect(curve[0]).toBe(0);
      expect(curve.every(Number.isFinite)).toBe(true);
    }
    // DeepLIFT's best pixels lower the log-odds of 8 over 3 on real digits.
    expect(run.results['8->3']['deeplift-rescale'][157]).toBeGreaterThan(0);
    writeMaskingOutputs(run, options);
    const json = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Record<string, Record<string, number[]>>;
    expect(json['8->3']['integrated-gradients']).toEqual(run.results['8->3']['integrated-gradients']);
    const md = readFileSync(path.join(dir, 'results.md'), 'utf8');
    expect(md).toContain('## 8 → 3 (2 held-out digits');
    expect(md).toContain('| DeepLIFT RevealCancel |');
    const svg = readFileSync(path.join(dir, 'chart.svg'), 'utf8');
    expect(svg.match(/<polyline /g)?.length).toBe(METHOD_NAMES.length);
    // The run released everything it created (the model, caches, references).
    expect(tf.memory().numTensors).toBe(before);
  });

  it('DeepLIFT explains the digits in batches, with the same curves as one digit at a time', async () => {
    const options = parseMaskingArgs(['--limit', '3', '--pairs', '9-1', '--backend', 'wasm', '--methods', 'deeplift-rescale,deeplift-revealcancel', '--out', dir]);
    const one = await runMaskingExperiment({ ...options, batch: 1 });
    const three = await runMaskingExperiment({ ...options, batch: 3 });
    expect(three.digits['9->1']).toBe(3);
    for (const m of ['deeplift-rescale', 'deeplift-revealcancel']) {
      const a = one.results['9->1'][m]!;
      const b = three.results['9->1'][m]!;
      expect(b.length).toBe(158);
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(1e-4);
      expect(b[157]).not.toBe(0);
    }
  });

  it('draws one panel per pair with a legend entry per method', () => {
    const curve = Array.from({ length: 158 }, (_, k) => k / 10);
    const svg = resultsSvg({ '8->3': { gradient: curve, 'deeplift-rescale': curve }, '9->1': { gradient: curve, 'deeplift-rescale': curve } });
    expect(svg.match(/<polyline /g)?.length).toBe(4);
    expect(svg).toContain('8 → 3');
    expect(svg).toContain('9 → 1');
    expect(svg).toContain('DeepLIFT Rescale');
  });
});
