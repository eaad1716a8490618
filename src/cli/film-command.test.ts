import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../engine/image/node-codec';
import { UsageError } from './dream-command';
import { framePath, parseFilmArgs, runFilm } from './film-command';

const dir = mkdtempSync(path.join(tmpdir(), 'film-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('film command', () => {
  it('parses film options, passes the rest to the dream parser and sets film defaults', () => {
    const o = parseFilmArgs(['--image', 'a.png', '--frames', '8', '--zoom', '1.1', '--rotate', '2', '--out-dir', 'f', '--layer', 'mixed4', '--channel', '7', '--seed', '3']);
    expect(o.film.frames).toBe(8);
    expect(o.film.motion).toEqual({ zoom: 1.1, rotateDeg: 2, driftX: 0, driftY: 0 });
    expect(o.film.dream.layers).toEqual([{ name: 'mixed4', weight: 1 }]);
    expect(o.film.dream.channel).toBe(7);
    expect(o.film.dream.seed).toBe(3);
    expect(o.film.dream.steps).toBe(4);
    expect(o.film.dream.octaves).toBe(1);
    expect(parseFilmArgs(['--image', 'a.png', '--frames', '2', '--out-dir', 'f', '--steps', '9', '--objectives', 'mixed3, mixed5']).film).toMatchObject({ objectives: ['mixed3', 'mixed5'], dream: { steps: 9 } });
    expect(() => parseFilmArgs(['--image', 'a.png', '--out-dir', 'f'])).toThrow(UsageError);
    expect(() => parseFilmArgs(['--image', 'a.png', '--frames', '2', '--out', 'x.png'])).toThrow(/--out-dir/);
    expect(() => parseFilmArgs(['--image', 'a.png', '--frames', '1.5', '--out-dir', 'f'])).toThrow(/whole number/);
    expect(() => parseFilmArgs(['--image', 'a.png', '--frames', '2', '--out-dir', 'f', '--zoom', 'big'])).toThrow(/number/);
    expect(framePath('f', 0)).toBe(path.join('f', 'frame-00001.png'));
  });

  it('writes numbered PNG frames of a tiny image (WASM, 1 step per frame), each different', async () => {
    const w = 48;
    const h = 44;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 7) % 256, (i * 13) % 256, 128, 255], i * 4);
    const input = path.join(dir, 'in.png');
    writeFileSync(input, encodePng(w, h, rgba));
    const outDir = path.join(dir, 'frames');
    const lines: string[] = [];
    const files = await runFilm(parseFilmArgs(['--image', input, '--frames', '3', '--zoom', '1.2', '--steps', '1', '--layer', 'mixed3', '--out-dir', outDir]), (l) => lines.push(l));
    expect(tf.getBackend()).toBe('wasm');
    expect(files).toEqual([1, 2, 3].map((k) => path.join(outDir, `frame-0000${k}.png`)));
    const images = files.map((f) => decodeImage(new Uint8Array(readFileSync(f))));
    for (const im of images) expect([im.width, im.height]).toEqual([w, h]);
    const diff = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0);
    expect(diff(images[0]!.data, images[1]!.data)).toBeGreaterThan(0);
    expect(diff(images[1]!.data, images[2]!.data)).toBeGreaterThan(0);
    expect(existsSync(path.join(outDir, 'frame-00004.png'))).toBe(false);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^frame 3\/3 48×44 mixed3/);
    expect(tf.memory().numTensors).toBe(0);
  }, 120_000);
});
