import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DREAM_PARAMS } from '../engine/dream/params';
import type { DreamModel } from '../engine/models/dream-model';
import type { DreamApi, RawImage } from './dream-protocol';
import { BadClipError, createFilmApi, sharedModel, withFilm, type ClipSource, type FilmEncoder, type FilmEnvironment } from './film-api';
import type { FilmFrameMessage, ZoomFilmSettings } from './film-protocol';
import { useStandInDreamModel } from '../engine/dream/testing/stand-in-suite';

function photo(width: number, height: number): RawImage {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set([(i * 7) % 256, (i * 3) % 256, 100, 255], i * 4);
  return { width, height, pixels };
}

const dream = { ...DEFAULT_DREAM_PARAMS, layers: [{ name: 'mixed1', weight: 1 }], octaves: 1, steps: 1, tileSize: 64, jitter: 2 };
const settings = (over: Partial<ZoomFilmSettings> = {}): ZoomFilmSettings => ({
  frames: 4,
  fps: 8,
  side: 24,
  motion: { zoom: 1.1, rotateDeg: 0, driftX: 0, driftY: 0 },
  dream,
  objectives: [],
  encode: true,
  ...over,
});

interface Recorded {
  added: { timestamp: number; duration: number; width: number; height: number }[];
  finished: number;
  cancelled: number;
}

function environment(model: DreamModel, clip?: ClipSource | Error): { env: FilmEnvironment; rec: Recorded } {
  const rec: Recorded = { added: [], finished: 0, cancelled: 0 };
  const encoder: FilmEncoder = {
    add: async (_pixels, width, height, timestamp, duration) => void rec.added.push({ timestamp, duration, width, height }),
    finish: async () => {
      rec.finished++;
      return { bytes: new ArrayBuffer(8), mimeType: 'video/webm', codec: 'vp9', extension: 'webm' };
    },
    cancel: async () => void rec.cancelled++,
  };
  return {
    rec,
    env: {
      model: async () => model,
      capabilities: async () => ({ webCodecs: true, codec: 'vp9' }),
      createEncoder: async () => encoder,
      openClip: async () => {
        if (!clip) throw new Error('no clip');
        if (clip instanceof Error) throw clip;
        return clip;
      },
    },
  };
}

describe('film api (called directly, CPU backend, stand-in model)', () => {
  let model: DreamModel;
  useStandInDreamModel((m) => {
    model = m;
  });

  it('makes a zoom film at the output size, encoding each frame at k/fps, previews each one', async () => {
    const before = tf.memory().numTensors;
    const { env, rec } = environment(model);
    const api = createFilmApi(env);
    const frames: FilmFrameMessage[] = [];
    const result = await api.film(1, photo(40, 30), settings(), (f) => void frames.push(f));
    expect(result).toMatchObject({ jobId: 1, frames: 4, width: 24, height: 18, cancelled: false, video: { extension: 'webm' } });
    expect(result.duration).toBeCloseTo(4 / 8, 10);
    expect(rec.added.map((a) => a.timestamp)).toEqual([0, 0.125, 0.25, 0.375]);
    expect(rec.added.every((a) => a.width === 24 && a.height === 18 && a.duration === 0.125)).toBe(true);
    expect(rec.finished).toBe(1);
    expect(frames.map((f) => [f.index, f.frames])).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);
    const first = frames[0]!.image as RawImage;
    expect(first.pixels.length).toBe(24 * 18 * 4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('writes an animated GIF beside the video when asked, and refuses one for too many frames', async () => {
    const { env } = environment(model);
    const api = createFilmApi(env);
    const result = await api.film(11, photo(24, 24), settings({ frames: 2, gif: true }), () => undefined);
    const bytes = new Uint8Array(result.gif!);
    expect(String.fromCharCode(...bytes.slice(0, 6))).toBe('GIF89a');
    expect(bytes[6]! | (bytes[7]! << 8)).toBe(24);
    expect((await api.film(12, photo(24, 24), settings({ frames: 2 }), () => undefined)).gif).toBeNull();
    await expect(api.film(13, photo(24, 24), settings({ frames: 301, gif: true }), () => undefined)).rejects.toThrow(/at most 300 frames/);
  });

  it('cancel after 2 frames still finalises a film of those 2 (through the combined cancel)', async () => {
    const before = tf.memory().numTensors;
    const { env, rec } = environment(model);
    const dreamCancels: number[] = [];
    const api = withFilm({ cancel: (id: number) => void dreamCancels.push(id) } as unknown as DreamApi, createFilmApi(env));
    const result = await api.film(7, photo(24, 24), settings({ frames: 6 }), (f) => {
      if (f.index === 1) api.cancel(7);
    });
    expect(result).toMatchObject({ frames: 2, cancelled: true });
    expect(result.duration).toBeCloseTo(0.25, 10);
    expect(rec.added).toHaveLength(2);
    expect(rec.finished).toBe(1);
    expect(dreamCancels).toEqual([7]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a cancel before the first frame rejects with AbortError and drops the encoder', async () => {
    const { env, rec } = environment(model);
    const api = createFilmApi(env);
    const running = api.film(3, photo(24, 24), settings(), () => undefined);
    api.cancel(3);
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(rec.cancelled).toBe(1);
    expect(rec.finished).toBe(0);
  });

  it('dreams every frame of a clip, keeping its timestamps; refuses bad clips and bad settings with named errors', async () => {
    const before = tf.memory().numTensors;
    const raw = [photo(16, 12), photo(16, 12), photo(16, 12)];
    let closed = 0;
    const clip: ClipSource = {
      width: 16,
      height: 12,
      frameCount: 3,
      duration: 0.3,
      async *frames() {
        for (let k = 0; k < 3; k++) yield { pixels: raw[k]!.pixels, timestamp: 1 + k * 0.1, duration: 0.1 };
      },
      close: () => void closed++,
    };
    const { env, rec } = environment(model, clip);
    const api = createFilmApi(env);
    const frames: FilmFrameMessage[] = [];
    const result = await api.clip(2, new Blob(['x']), { side: 16, dream, objectives: [], encode: true, blend: 0.5, maxSeconds: 20 }, (f) => void frames.push(f));
    expect(result).toMatchObject({ frames: 3, width: 16, height: 12, cancelled: false });
    expect(rec.added.map((a) => a.timestamp)).toEqual([0, expect.closeTo(0.1, 10), expect.closeTo(0.2, 10)]);
    expect(frames.map((f) => f.frames)).toEqual([3, 3, 3]);
    expect(closed).toBe(1);
    const bad = createFilmApi(environment(model, new BadClipError('The clip is too long (25.0 s); the limit is 20 s.')).env);
    await expect(bad.clip(4, new Blob(['x']), { side: 16, dream, objectives: [], encode: true, blend: 0.5, maxSeconds: 20 }, () => undefined)).rejects.toMatchObject({ name: 'BadClipError', message: /too long/ });
    await expect(api.clip(5, new Blob(['x']), { side: 16, dream, objectives: [], encode: true, blend: 2, maxSeconds: 20 }, () => undefined)).rejects.toMatchObject({ name: 'BadParamsError' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shares one model load between callers, and retries after a failure', async () => {
    let loads = 0;
    const load = sharedModel(async () => {
      loads++;
      if (loads === 1) throw new Error('network');
      return loads;
    });
    await expect(load()).rejects.toThrow('network');
    expect(await Promise.all([load(), load()])).toEqual([2, 2]);
    expect(loads).toBe(2);
  });
});
