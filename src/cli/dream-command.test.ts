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

  it('parses --guide and refuses it with a channel or a mix of layers', () => {
    const o = parseDreamArgs(['--image', 'a.png', '--out', 'b.png', '--guide', 'g.png', '--layer', 'mixed4']);
    expect(o.guide).toBe('g.png');
    expect(parseDreamArgs(['--image', 'a.png', '--out', 'b.png']).guide).toBeNull();
    expect(() => parseDreamArgs(['--image', 'a.png', '--out', 'b.png', '--guide', 'g.png', '--channel', '3'])).toThrow(/not both/);
    expect(() => parseDreamArgs(['--image', 'a.png', '--out', 'b.png', '--guide', 'g.png', '--layer', 'mixed3,mixed4'])).toThrow(/single --layer/);
  });

  it('dreams a tiny PNG guided by another, differently from the unguided dream with the same seed', async () => {
    const w = 56;
    const h = 48;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 7) % 256, (i * 13) % 256, 128, 255], i * 4);
    const guidePixels = new Uint8Array(64 * 64 * 4);
    for (let i = 0; i < 64 * 64; i++) guidePixels.set([255 * ((i >> 3) & 1), 40, 255 * ((i >> 9) & 1), 255], i * 4);
    const input = path.join(dir, 'photo.png');
    const guide = path.join(dir, 'guide.png');
    writeFileSync(input, encodePng(w, h, rgba));
    writeFileSync(guide, encodePng(64, 64, guidePixels));
    const args = ['--image', input, '--layer', 'mixed3', '--octaves', '1', '--steps', '2', '--seed', '4'];
    const guided = await runDream(parseDreamArgs([...args, '--out', path.join(dir, 'guided.png'), '--guide', guide]));
    const plain = await runDream(parseDreamArgs([...args, '--out', path.join(dir, 'plain.png')]));
    const written = decodeImage(new Uint8Array(readFileSync(path.join(dir, 'guided.png'))));
    expect([written.width, written.height]).toEqual([56, 48]);
    expect(Number.isFinite(guided.objective)).toBe(true);
    expect(guided.objective).not.toBeCloseTo(plain.objective, 3);
    expect(Buffer.compare(Buffer.from(guided.pixels), Buffer.from(plain.pixels))).not.toBe(0);
    expect(tf.memory().numTensors).toBe(0);
    const tiny = path.join(dir, 'tiny.png');
    writeFileSync(tiny, encodePng(8, 8, new Uint8Array(8 * 8 * 4).fill(200)));
    await expect(runDream(parseDreamArgs([...args, '--out', path.join(dir, 'x.png'), '--guide', tiny]))).rejects.toMatchObject({ name: 'BadGuideError' });
    expect(tf.memory().numTensors).toBe(0);
  });
});
