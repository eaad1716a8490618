/**
 * Dream films, as Deep Dream became known (Mordvintsev, Olah & Tyka 2015; the
 * original deepdream notebook's endless zoom, and the "dreamed video" projects
 * that followed):
 *
 * - Zoom loop: frame 0 is the photo dreamt; frame k + 1 is a few dream steps
 *   (the Deep Dream engine, octaves and all) on frame k after one zoom step
 *   (zoom.ts). Frame k uses seed + k, so a film is reproducible.
 * - Video clips: each decoded frame is dreamt starting from itself plus
 *   `blend` times the detail of the previous dreamt frame (dreamt − original),
 *   so motifs stay where they were instead of flickering; blend 0 dreams every
 *   frame on its own, blend 1 carries the whole previous detail.
 *
 * Either may follow an objective sequence (objectives.ts). Frames are plain
 * RGBA bytes, as the dream engine yields them: the next frame starts from
 * what was shown, and nothing but the previous frame is kept.
 */
import * as tf from '@tensorflow/tfjs';
import { BadParamsError, deepDream, validateDreamParams } from '../dream/dream';
import type { DreamParams } from '../dream/params';
import type { DreamModel } from '../models/dream-model';
import { mixLayers, objectiveAt, parseObjectiveTerm } from './objectives';
import { MAX_FILM_FRAMES } from './size';
import { zoomStep, type ZoomMotion } from './zoom';

export interface FilmParams {
  /** Number of frames, ≥ 1. */
  frames: number;
  motion: ZoomMotion;
  /** The dream of each frame (steps, octaves, layer or filter, step size…); frame k uses seed + k. */
  dream: DreamParams;
  /** Layers or filters ("mixed4:17") across the film, blended smoothly; empty: `dream.layers` (and its filter) throughout. */
  objectives: readonly string[];
}

export interface ClipParams {
  dream: DreamParams;
  /** 0..1: how much of the previous dreamt frame's detail starts the next frame. */
  blend: number;
  objectives: readonly string[];
  /** The clip's frame count if known (spreads the objective sequence); otherwise the sequence is not used past its first layer. */
  frames?: number;
}

export interface FilmFrame {
  /** 0-based frame number. */
  index: number;
  /** Frames in the film (for clips: as announced, or 0 when unknown). */
  frames: number;
  width: number;
  height: number;
  /** RGBA, width·height·4 bytes. */
  pixels: Uint8ClampedArray;
  /** The dream objective at the frame's last step (NaN with zero steps). */
  objective: number;
  /** The layer (or filter) mix this frame climbed. */
  layers: { name: string; weight: number; channel?: number }[];
}


function abortError(): Error {
  const err = new Error('The film was cancelled');
  err.name = 'AbortError';
  return err;
}

function checkObjectives(model: DreamModel, dream: DreamParams, objectives: readonly string[]): void {
  if (objectives.length === 0) return;
  if (dream.channel !== null) throw new BadParamsError('a filter belongs to one layer: clear the filter to use an objective sequence');
  for (const term of objectives) {
    let parsed;
    try {
      parsed = parseObjectiveTerm(term);
    } catch (e) {
      throw new BadParamsError(`${(e as Error).message} in the objective sequence`);
    }
    const { name, channel } = parsed;
    if (!model.layerNames.includes(name)) throw new BadParamsError(`unknown layer ${name} in the objective sequence; choose from ${model.layerNames.join(', ')}`);
    if (channel !== null) {
      const out = model.trunk.getLayer(name).outputShape as number[];
      const channels = out[out.length - 1];
      if (channel >= channels) throw new BadParamsError(`filter ${channel} of ${name} is out of range in the objective sequence: ${name} has filters 0 to ${channels - 1}`);
    }
  }
}

/** Throws BadParamsError when the film cannot be made with `model`. */
export function validateFilmParams(model: DreamModel, params: FilmParams): void {
  if (!Number.isInteger(params.frames) || params.frames < 1 || params.frames > MAX_FILM_FRAMES) {
    throw new BadParamsError(`the number of frames must be a whole number from 1 to ${MAX_FILM_FRAMES}`);
  }
  const { zoom, rotateDeg, driftX, driftY } = params.motion;
  if (!(zoom >= 0.5 && zoom <= 2)) throw new BadParamsError('zoom per frame must be from 0.5 to 2');
  if (![rotateDeg, driftX, driftY].every(Number.isFinite)) throw new BadParamsError('rotation and drift must be numbers');
  checkObjectives(model, params.dream, params.objectives);
  validateDreamParams(model, params.dream);
}

/** The dream parameters of frame `index`: seed + index, the objective mix of that frame, a frame (and a pause for messages) after every step. */
export function frameDreamParams(dream: DreamParams, objectives: readonly string[], index: number, frames: number): DreamParams {
  return {
    ...dream,
    layers: objectives.length > 0 ? mixLayers(objectiveAt(objectives, index, frames)) : dream.layers,
    seed: (dream.seed + index) % 2 ** 31,
    frameEvery: 1,
    fromNoise: false,
  };
}

/** [h, w, 3] float32 0..255 from RGBA bytes (alpha dropped); the caller owns it. */
export function rgbaToTensor(pixels: Uint8ClampedArray, width: number, height: number): tf.Tensor3D {
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = pixels[i]!;
    rgb[j + 1] = pixels[i + 1]!;
    rgb[j + 2] = pixels[i + 2]!;
  }
  return tf.tensor3d(rgb, [height, width, 3], 'float32');
}

/**
 * Dreams one frame: `image255` ([h, w, 3] float32 0..255, not disposed) →
 * its final dreamt RGBA at the same size. Throws AbortError when `signal` aborts.
 */
export async function dreamFrame(model: DreamModel, image255: tf.Tensor3D, params: DreamParams, signal?: AbortSignal): Promise<{ pixels: Uint8ClampedArray; objective: number }> {
  let last: { pixels: Uint8ClampedArray; objective: number } | null = null;
  for await (const frame of deepDream(model, image255, params, signal)) {
    last = { pixels: frame.pixels, objective: frame.objective };
    // On CPU and WASM a readback settles as a microtask, so a worker would never see a cancel
    // message mid-frame; a macrotask turn between steps lets it arrive (deepDream checks before the next step).
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (!last) throw new Error('the dream produced no frame');
  return last;
}

/**
 * The zoom loop on `photo` ([h, w, 3] float32 0..255, not disposed): yields
 * `params.frames` frames at the photo's size, one at a time. Checks `signal`
 * between dream steps (AbortError); throws BadParamsError for unusable
 * parameters. Keeps only the previous frame's bytes; disposes everything it
 * creates, also on abort or an early `return()`.
 */
export async function* zoomFilm(model: DreamModel, photo: tf.Tensor3D, params: FilmParams, signal?: AbortSignal): AsyncGenerator<FilmFrame> {
  validateFilmParams(model, params);
  const [height, width] = photo.shape;
  let previous: Uint8ClampedArray | null = null;
  for (let k = 0; k < params.frames; k++) {
    if (signal?.aborted) throw abortError();
    const dream = frameDreamParams(params.dream, params.objectives, k, params.frames);
    const prev = previous;
    const start: tf.Tensor3D = prev
      ? tf.tidy(() => {
          const frame = rgbaToTensor(prev, width, height);
          return zoomStep(frame.expandDims(0) as tf.Tensor4D, params.motion).squeeze([0]) as tf.Tensor3D;
        })
      : photo;
    try {
      const { pixels, objective } = await dreamFrame(model, start, dream, signal);
      previous = pixels;
      yield { index: k, frames: params.frames, width, height, pixels, objective, layers: dream.layers };
    } finally {
      if (start !== photo) start.dispose();
    }
  }
}

/**
 * The starting image of a clip frame: frame + blend·(previousDreamt −
 * previousOriginal), clipped to 0..255 ([h, w, 3] float32; the caller owns
 * it). Without a previous frame (or with blend 0) it is the frame itself; a
 * previous frame of another size has its detail resized.
 */
export function carryDetail(
  frame: { pixels: Uint8ClampedArray; width: number; height: number },
  previousOriginal: Uint8ClampedArray | null,
  previousDreamt: Uint8ClampedArray | null,
  previousSize: { width: number; height: number } | null,
  blend: number,
): tf.Tensor3D {
  const { pixels, width, height } = frame;
  return tf.tidy((): tf.Tensor3D => {
    const current = rgbaToTensor(pixels, width, height);
    if (!previousOriginal || !previousDreamt || !previousSize || blend === 0) return current;
    let detail: tf.Tensor3D = tf.sub(rgbaToTensor(previousDreamt, previousSize.width, previousSize.height), rgbaToTensor(previousOriginal, previousSize.width, previousSize.height));
    if (previousSize.width !== width || previousSize.height !== height) detail = tf.image.resizeBilinear(detail, [height, width], false, true);
    return tf.clipByValue(tf.add(current, tf.mul(detail, blend)), 0, 255);
  });
}

/**
 * Dreams a video clip frame by frame with detail carried over (see the file
 * comment). Holds the previous original and dreamt frame as bytes; no tensor
 * outlives a call, so there is nothing to dispose.
 */
export class ClipDreamer {
  private index = 0;
  private previousOriginal: Uint8ClampedArray | null = null;
  private previousDreamt: Uint8ClampedArray | null = null;
  private previousSize: { width: number; height: number } | null = null;

  /** Throws BadParamsError for unusable parameters. */
  constructor(
    private readonly model: DreamModel,
    private readonly params: ClipParams,
  ) {
    if (!(params.blend >= 0 && params.blend <= 1)) throw new BadParamsError('the detail blend must be from 0 to 1');
    checkObjectives(model, params.dream, params.objectives);
    validateDreamParams(model, params.dream);
  }

  /** Frames dreamt so far. */
  get framesDone(): number {
    return this.index;
  }

  /**
   * Dreams the next clip frame (RGBA bytes, width·height·4; not kept beyond
   * the next call). Throws AbortError when `signal` aborts; the clip can go on
   * with the next frame afterwards.
   */
  async next(pixels: Uint8ClampedArray, width: number, height: number, signal?: AbortSignal): Promise<FilmFrame> {
    if (pixels.length !== width * height * 4) throw new BadParamsError(`a ${width}×${height} frame needs ${width * height * 4} bytes, got ${pixels.length}`);
    const k = this.index;
    const announced = this.params.frames ?? 0;
    const dream = frameDreamParams(this.params.dream, this.params.objectives, k, Math.max(announced, k + 1));
    const start = carryDetail({ pixels, width, height }, this.previousOriginal, this.previousDreamt, this.previousSize, this.params.blend);
    try {
      const { pixels: out, objective } = await dreamFrame(this.model, start, dream, signal);
      this.previousOriginal = pixels.slice(); // the caller may reuse or transfer its buffer
      this.previousDreamt = out;
      this.previousSize = { width, height };
      this.index++;
      return { index: k, frames: announced, width, height, pixels: out, objective, layers: dream.layers };
    } finally {
      start.dispose();
    }
  }
}
