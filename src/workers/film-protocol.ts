/**
 * Types shared by the film half of the Deep Dream worker (film-api.ts) and its
 * main-thread client (film-client.ts). Plain data; frames travel as
 * transferables, the finished video as one transferred ArrayBuffer.
 */
import type { DreamParams } from '../engine/dream/params';
import type { ZoomMotion } from '../engine/film/zoom';
import type { CancellableApi } from './worker-handle';
import type { DreamPhoto, RawImage } from './dream-protocol';

/** What is common to zoom films and dreamed clips. */
export interface FilmCommon {
  /** Longest side of the output frames (px); both sides are made even. */
  side: number;
  /** The dream of each frame (steps per frame, octaves, layer or filter…); frame k uses seed + k. */
  dream: DreamParams;
  /** Layers across the film, blended smoothly; empty: the dream's layer (and filter) throughout. */
  objectives: string[];
  /** Encode in the worker with WebCodecs (false: frames only; the page records them itself). */
  encode: boolean;
  /** Also write an animated GIF (short loops: at most MAX_GIF_FRAMES frames). */
  gif?: boolean;
}

export interface ZoomFilmSettings extends FilmCommon {
  frames: number;
  fps: number;
  motion: ZoomMotion;
}

export interface ClipFilmSettings extends FilmCommon {
  /** 0..1: how much of the previous dreamt frame's detail starts the next one. */
  blend: number;
  /** Longest clip accepted (s). */
  maxSeconds: number;
}

/** One finished film frame, tagged with its job. */
export interface FilmFrameMessage {
  jobId: number;
  /** 0-based frame number. */
  index: number;
  /** Frames in the film (a clip's frame count). */
  frames: number;
  width: number;
  height: number;
  /** Presentation time and duration of the frame in the film (s). */
  timestamp: number;
  duration: number;
  /** Worker time since the first frame began (ms), for time-left estimates. */
  elapsedMs: number;
  objective: number;
  /** An ImageBitmap (transferred; the receiver closes it), or raw RGBA where bitmaps are unavailable. */
  image: ImageBitmap | RawImage;
}

export interface FilmVideo {
  bytes: ArrayBuffer;
  /** e.g. 'video/webm; codecs="vp09.00.10.08"'. */
  mimeType: string;
  /** The codec mediabunny chose ('vp9', 'vp8', 'avc'…). */
  codec: string;
  extension: 'webm' | 'mp4';
}

export interface FilmResult {
  jobId: number;
  /** Frames made (fewer than asked when cancelled). */
  frames: number;
  width: number;
  height: number;
  /** Seconds of film (sum of frame durations). */
  duration: number;
  elapsedMs: number;
  /** Whether the run was cancelled (the video then holds the frames made so far). */
  cancelled: boolean;
  /** The encoded film; null when `encode` was false or the worker cannot encode. */
  video: FilmVideo | null;
  /** The animated GIF when asked for. */
  gif: ArrayBuffer | null;
}

export interface FilmCapabilities {
  /** Whether this worker has WebCodecs' VideoEncoder. */
  webCodecs: boolean;
  /** The first codec of VP9, VP8, H.264 that VideoEncoder.isConfigSupported accepts at this size, or null. */
  codec: string | null;
}

/** The film methods of the Deep Dream worker (exposed beside DreamApi, sharing its trunk). */
export interface FilmApi extends CancellableApi {
  filmCapabilities(width: number, height: number): Promise<FilmCapabilities>;
  /**
   * A zoom film of `photo`: `onFrame` gets each frame as it is made (and encoded).
   * Cancelling (`cancel(jobId)`) ends it after the current frame's step and
   * resolves with the frames made so far (cancelled: true); with none it
   * rejects with AbortError.
   */
  film(jobId: number, photo: DreamPhoto, settings: ZoomFilmSettings, onFrame: (frame: FilmFrameMessage) => void | Promise<void>): Promise<FilmResult>;
  /** A dreamed clip: `file` is decoded frame by frame, each dreamt with the detail blend. Errors are named BadClipError. */
  clip(jobId: number, file: Blob, settings: ClipFilmSettings, onFrame: (frame: FilmFrameMessage) => void | Promise<void>): Promise<FilmResult>;
}

/** Clips longer than this are refused (s). */
export const MAX_CLIP_SECONDS = 20;
/** Clip files larger than this are refused (bytes). */
export const MAX_CLIP_BYTES = 256 * 1024 * 1024;
/** Clips wider or taller than this are refused (px); smaller ones are scaled to the output size. */
export const MAX_CLIP_SIDE = 4096;
/** GIFs are for short loops: films with more frames get no GIF (the files grow large). */
export const MAX_GIF_FRAMES = 300;
