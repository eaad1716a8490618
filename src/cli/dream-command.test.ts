import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../engine/image/node-codec';
import { parseDreamArgs, runDream, UsageError } from './dream-command';

const dir = mkdtempSync(path.join(tmpdir(), 'dream-cli-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dream command', () => {
  it('parses options, layer mixes and defaults', () => {
    const o = parseDreamArgs(['--image', 'a.png', '--out', 'b.jpg', '--layer', 'mixed3:1,mixed5:0.5', '--octaves', '3', '--step-size', '0.02', '--objective', 'mean', '--from-noise']);
    expect(o.params.layers).toEqual([{ name: 'mixed3', weight: 1 }, { name: 'mixed5', weight: 0.5 }]);
    expect(o.params.octaves).toBe(3);
    expect(o.params.stepSize).toBe(0.02);
    expect(o.params.objective).toBe('mean');
    expect(o.params.fromNoise).toBe(true);
    expect(o.params.channel).toBeNull();
    expect(o.backend).toBe('wasm');
    expect(o.maxSide).toBe(256);
    expect(() => parseDreamArgs(['--image', 'a.png'])).toThrow(UsageError);
    expect(() => parseDreamArgs(['--image', 'a.png', '--out', 'b.gif'])).toThrow(UsageError);
    expect(() => parseDreamArgs(['--image', 'a.png', '--out', 'b.png', '--steps', 'many'])).toThrow(UsageError);
    expect(() => parseDreamArgs(['--image', 'a.png', '--out', 'b.png', '--colour', 'red'])).toThrow(UsageError);
  });

  it('dreams a tiny PNG with 1 octave and 1 step on the default (WASM) backend', async () => {
    const w = 60;
    const h = 50;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 7) % 256, (i * 13) % 256, 128, 255], i * 4);
    const input = path.join(dir, 'in.png');
    const out = path.join(dir, 'out.png');
    writeFileSync(input, encodePng(w, h, rgba));
    const lines: string[] = [];
    const frame = await runDream(parseDreamArgs(['--image', input, '--out', out, '--layer', 'mixed3', '--octaves', '1', '--steps', '1', '--max-side', '56']), (l) => lines.push(l));
    expect(tf.getBackend()).toBe('wasm');
    const written = decodeImage(new Uint8Array(readFileSync(out)));
    expect([written.width, written.height]).toEqual([56, 47]);
    expect([frame.width, frame.height]).toEqual([56, 47]);
    expect(Number.isFinite(frame.objective)).toBe(true);
    expect(lines).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(0);
  });
});
