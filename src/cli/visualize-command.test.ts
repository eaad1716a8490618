import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../engine/image/node-codec';
import { DEFAULT_VISUALIZE_PARAMS } from '../engine/visualize/params';
import { UsageError } from './args';
import { parseVisualizeArgs, runVisualize, visualizeCommand } from './visualize-command';

const dir = mkdtempSync(path.join(tmpdir(), 'visualize-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('visualize command', () => {
  it('parses options with the engine defaults and rejects bad ones', () => {
    const o = parseVisualizeArgs(['--layer', 'mixed4', '--channel', '17', '--out', 'fv.png']);
    expect(o.params).toEqual({ ...DEFAULT_VISUALIZE_PARAMS, layer: 'mixed4', channel: 17 });
    expect(o.backend).toBe('wasm');
    expect(o.report).toBe(false);
    const p = parseVisualizeArgs(['--layer', 'mixed3', '--objective', 'layer', '--size', '64', '--steps', '10', '--seed', '3', '--lr', '0.1', '--decay', '1', '--no-robust', '--report', '--out', 'x.png']);
    expect(p.params).toMatchObject({ objective: 'layer', size: 64, steps: 10, seed: 3, learningRate: 0.1, decay: 1, robust: false });
    expect(p.report).toBe(true);
    expect(() => parseVisualizeArgs(['--layer', 'mixed3', '--out', 'x.png'])).toThrow(/--channel is required/);
    expect(() => parseVisualizeArgs(['--layer', 'mixed3', '--channel', '1', '--out', 'x.jpg'])).toThrow(UsageError);
    expect(() => parseVisualizeArgs(['--layer', 'mixed3', '--channel', '1.5', '--out', 'x.png'])).toThrow(/whole number/);
    expect(() => parseVisualizeArgs(['--layer', 'mixed3', '--channel', '1', '--objective', 'max', '--out', 'x.png'])).toThrow(/objective/);
    expect(() => parseVisualizeArgs(['--channel', '1', '--out', 'x.png'])).toThrow(/--layer is required/);
  });

  it('writes a PNG of the requested size on WASM, with the quality report, and exits 2 on bad usage', async () => {
    const out = path.join(dir, 'fv.png');
    const lines: string[] = [];
    const r = await runVisualize(parseVisualizeArgs(['--layer', 'mixed3', '--channel', '5', '--size', '48', '--steps', '2', '--report', '--out', out]), (l) => lines.push(l));
    expect(tf.getBackend()).toBe('wasm');
    const png = decodeImage(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height]).toEqual([48, 48]);
    expect(r.report?.channels).toBe(768);
    expect(r.report!.rank).toBeGreaterThanOrEqual(0);
    expect(lines.at(-1)).toMatch(/^channel 5: rank \d+ of 768/);
    expect(tf.memory().numTensors).toBe(0);
    expect(await visualizeCommand(['--layer', 'mixed3'])).toBe(2);
  }, 120_000);
});
