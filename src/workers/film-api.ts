/**
 * The film methods of the Deep Dream worker: zoom films and dreamed clips
 * (engine/film/film.ts), each frame encoded as soon as it is made (a
 * FilmEncoder: WebCodecs + mediabunny in browsers, film-media.ts) and sent to
 * the page for preview. Nothing but the previous frame and the encoder's
 * output is kept, so memory is bounded by the film's compressed size.
 *
 * It shares the trunk the dream methods load (`model()` is their cached
 * loader; see withFilm) and the job ids of one WorkerHandle, so one cancel
 * reaches either kind of job. Cancel ends a film after the current step and
 * still finalises a playable file of the frames made.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { ClipDreamer, zoomFilm, type FilmFrame } from '../engine/film/film';
import { filmSize } from '../engine/film/size';
import type { DreamModel } from '../engine/models/dream-model';
import type { DreamApi, RawImage } from './dream-protocol';
import { isRawImage } from './dream-protocol';
import { bitmapToRaw, rawToTensor } from './dream-api';
import type { ClipFilmSettings, FilmApi, FilmCapabilities, FilmFrameMessage, FilmResult, FilmVideo, ZoomFilmSettings } from './film-protocol';
import type { DeviceWatch } from './worker-faults';
import { withDevice } from './worker-faults';
import { createGifWriter, MAX_GIF_FRAMES } from './film-gif';
import { BadParamsError } from '../engine/dream/dream';
import { composeApis } from './compose-apis';

/** Encodes frames into a container as they come. */
export interface FilmEncoder {
  /** Adds one RGBA frame (not kept) at `timestamp` for `duration` seconds. */
  add(pixels: Uint8ClampedArray, width: number, height: number, timestamp: number, duration: number): Promise<void>;
  /** Finalises the file. */
  finish(): Promise<FilmVideo>;
  /** Drops everything (no file). */
  cancel(): Promise<void>;
}

/** A decoded clip, frame by frame, scaled to the film's size. */
export interface ClipSource {
  width: number;
  height: number;
  /** Frames in the clip (counted before decoding). */
  frameCount: number;
  /** Length in seconds. */
  duration: number;
  /** RGBA frames in presentation order, at width×height; timestamps from the clip's start (s). */
  frames(): AsyncGenerator<{ pixels: Uint8ClampedArray; timestamp: number; duration: number }>;
  close(): void;
}

/** Thrown for a clip that cannot be dreamed; the message says why, for the user. */
export class BadClipError extends Error {
  override name = 'BadClipError';
}

export interface FilmEnvironment {
  /** The dream methods' cached trunk. */
  model(): Promise<DreamModel>;
  device?: DeviceWatch;
  capabilities(width: number, height: number): Promise<FilmCapabilities>;
  /** An encoder for a width×height film, or null where the worker cannot encode. */
  createEncoder(width: number, height: number, fps: number): Promise<FilmEncoder | null>;
  /** Opens a clip, checking it (BadClipError); frames are scaled so the longest side is `side` (even sizes). */
  openClip(file: Blob, side: number, maxSeconds: number): Promise<ClipSource>;
}

async function preview(pixels: Uint8ClampedArray, width: number, height: number): Promise<ImageBitmap | RawImage> {
  const own = new Uint8ClampedArray(pixels);
  if (typeof createImageBitmap === 'function' && typeof ImageData !== 'undefined') return createImageBitmap(new ImageData(own, width, height));
  return { width, height, pixels: own };
}

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';

/** Makes the film methods over an environment. */
export function createFilmApi(env: FilmEnvironment): FilmApi {
  const jobs = new Map<number, AbortController>();

  /**
   * Drives one film: pulls frames from `frames`, encodes and forwards each.
   * On abort after at least one frame it finalises what it has.
   */
  const run = async (
    jobId: number,
    controller: AbortController,
    size: { width: number; height: number },
    fps: number,
    output: { encode: boolean; gif?: boolean },
    frames: (signal: AbortSignal) => AsyncGenerator<FilmFrame & { timestamp: number; duration: number }>,
    onFrame: (frame: FilmFrameMessage) => void | Promise<void>,
  ): Promise<FilmResult> => {
    const encoder = output.encode ? await env.createEncoder(size.width, size.height, fps) : null;
    const gif = output.gif ? createGifWriter() : null;
    const started = performance.now();
    let made = 0;
    let duration = 0;
    let cancelled = false;
    try {
      try {
        for await (const frame of frames(controller.signal)) {
          if (env.device?.lostReason()) break;
          await encoder?.add(frame.pixels, frame.width, frame.height, frame.timestamp, frame.duration);
          gif?.add(frame.pixels, frame.width, frame.height, frame.duration);
          made++;
          duration = frame.timestamp + frame.duration;
          const image = await preview(frame.pixels, frame.width, frame.height);
          const message: FilmFrameMessage = {
            jobId,
            index: frame.index,
            frames: frame.frames,
            width: frame.width,
            height: frame.height,
            timestamp: frame.timestamp,
            duration: frame.duration,
            elapsedMs: performance.now() - started,
            objective: frame.objective,
            image,
          };
          const transfer = isRawImage(image) ? [image.pixels.buffer] : [image];
          // Awaited: the next frame waits until the page has this one (back-pressure).
          await Promise.resolve(onFrame(Comlink.transfer(message, transfer))).catch(() => undefined);
        }
      } catch (error) {
        if (!isAbort(error) || made === 0) throw error;
        cancelled = true;
      }
      const video = encoder && made > 0 ? await encoder.finish() : null;
      const gifBytes = gif && made > 0 ? gif.finish() : null;
      const result: FilmResult = { jobId, frames: made, width: size.width, height: size.height, duration, elapsedMs: performance.now() - started, cancelled, video, gif: gifBytes };
      // The files go to the page without a copy.
      return Comlink.transfer(result, [...(video ? [video.bytes] : []), ...(gifBytes ? [gifBytes] : [])]);
    } catch (error) {
      await encoder?.cancel().catch(() => undefined);
      throw error;
    }
  };

  const api: FilmApi = {
    filmCapabilities: (width, height) => env.capabilities(width, height),

    async film(jobId, photo, settings: ZoomFilmSettings, onFrame) {
      const controller = new AbortController();
      jobs.set(jobId, controller);
      let image: tf.Tensor3D | null = null;
      try {
        const raw = isRawImage(photo) ? photo : bitmapToRaw(photo);
        if (settings.gif && settings.frames > MAX_GIF_FRAMES) throw new BadParamsError(`a GIF holds at most ${MAX_GIF_FRAMES} frames: make fewer frames or untick the GIF`);
        const model = await env.model();
        const size = filmSize(raw.width, raw.height, settings.side);
        image = tf.tidy(() => {
          const t = rawToTensor(raw);
          return t.shape[0] === size.height && t.shape[1] === size.width ? t : (tf.image.resizeBilinear(t, [size.height, size.width], false, true) as tf.Tensor3D);
        });
        const photoTensor = image;
        const step = 1 / settings.fps;
        const params = { frames: settings.frames, motion: settings.motion, dream: settings.dream, objectives: settings.objectives };
        async function* frames(signal: AbortSignal) {
          for await (const f of zoomFilm(model, photoTensor, params, signal)) yield { ...f, timestamp: f.index * step, duration: step };
        }
        return await run(jobId, controller, size, settings.fps, settings, frames, onFrame);
      } finally {
        image?.dispose();
        jobs.delete(jobId);
      }
    },

    async clip(jobId, file, settings: ClipFilmSettings, onFrame) {
      const controller = new AbortController();
      jobs.set(jobId, controller);
      let source: ClipSource | null = null;
      try {
        const model = await env.model();
        source = await env.openClip(file, settings.side, settings.maxSeconds);
        const clip = source;
        if (settings.gif && clip.frameCount > MAX_GIF_FRAMES) throw new BadClipError(`The clip has ${clip.frameCount} frames, more than a GIF should hold (${MAX_GIF_FRAMES}); untick the GIF or trim the clip.`);
        const dreamer = new ClipDreamer(model, { dream: settings.dream, blend: settings.blend, objectives: settings.objectives, frames: clip.frameCount });
        const fps = clip.frameCount / Math.max(clip.duration, 1e-3);
        async function* frames(signal: AbortSignal) {
          let first: number | null = null;
          for await (const f of clip.frames()) {
            if (signal.aborted) throw Object.assign(new Error('The film was cancelled'), { name: 'AbortError' });
            first ??= f.timestamp;
            const out = await dreamer.next(f.pixels, clip.width, clip.height, signal);
            yield { ...out, frames: clip.frameCount, timestamp: f.timestamp - first, duration: f.duration };
          }
        }
        const result = await run(jobId, controller, { width: clip.width, height: clip.height }, fps, settings, frames, onFrame);
        if (result.frames === 0) throw new BadClipError('The clip has no video frames that could be decoded.');
        return result;
      } finally {
        source?.close();
        jobs.delete(jobId);
      }
    },

    cancel(jobId) {
      jobs.get(jobId)?.abort();
    },
  };
  const filmOnDevice = api.film;
  const clipOnDevice = api.clip;
  api.film = (jobId, photo, settings, onFrame) => withDevice(env.device, () => filmOnDevice(jobId, photo, settings, onFrame));
  api.clip = (jobId, file, settings, onFrame) => withDevice(env.device, () => clipOnDevice(jobId, file, settings, onFrame));
  return api;
}

/**
 * The dream methods plus the film methods, one cancel for both (job ids come
 * from one WorkerHandle, so they never clash): the long lane's composition (lane-api.ts).
 */
export function withFilm(dream: DreamApi, film: FilmApi): DreamApi & FilmApi {
  return composeApis(dream, film);
}

/**
 * Caches a model loader so the dream and film methods share one trunk; a
 * failed load is forgotten so the next call tries again.
 */
export function sharedModel<T>(load: (onProgress?: (fraction: number) => void) => Promise<T>): (onProgress?: (fraction: number) => void) => Promise<T> {
  let promise: Promise<T> | null = null;
  return (onProgress) => {
    if (!promise) {
      const p = load(onProgress);
      promise = p;
      p.catch(() => {
        if (promise === p) promise = null;
      });
    }
    return promise;
  };
}
