/**
 * The Film section's state: its settings, the run's status and progress, and
 * the finished film (an object URL, its file name and facts). Plain data; the
 * AbortController, the preview canvas's draw callback and the fallback
 * recorder factory live in module variables. Films run in the Deep Dream
 * worker (runOnDreamWorker) on the Dream panel's photo; errors are shown in
 * the Dream panel's message line, and a refused clip or a failed film leaves
 * the previous film in place.
 */
import { create } from 'zustand';
import type { DreamParams } from '../engine/dream/params';
import { DREAM_LAYERS } from '../engine/dream/params';
import { MAX_FILM_FRAMES, filmSize } from '../engine/film/size';
import { parseObjectiveTerm, type ObjectiveTerm } from '../engine/film/objectives';
import { createFilmClient, type FilmClient, type FilmFrame } from '../workers/film-client';
import { MAX_CLIP_SECONDS, MAX_GIF_FRAMES, type FilmCommon, type FilmResult } from '../workers/film-protocol';
import { isAbortError } from '../workers/worker-handle';
import { getPhotoBitmap, layerChannels, parseFilter, runOnDreamWorker, toDreamParams, useDreamStore, userMessage } from './dream-store';

export interface FilmSettings {
  frames: number;
  /** Magnification per frame. */
  zoom: number;
  /** Degrees per frame, clockwise. */
  rotate: number;
  /** Drift of the view per frame (px; right and down). */
  driftX: number;
  driftY: number;
  /** Dream steps per frame (and octaves per frame). */
  steps: number;
  octaves: number;
  fps: number;
  /** Longest side of the film (px). */
  side: number;
  layer: string;
  /** '' = the whole layer, else a channel number. */
  filter: string;
  /** Comma-separated layers or filters (layer:number) across the film, e.g. "mixed3, mixed4:17, mixed5"; '' = the layer above throughout. */
  objectives: string;
  /** Clips: 0..1 of the previous dreamt frame's detail carried into the next. */
  blend: number;
  /** Also make an animated GIF (short loops). */
  gif: boolean;
}

export const FILM_LIMITS = {
  frames: { min: 1, max: MAX_FILM_FRAMES },
  zoom: { min: 0.5, max: 2 },
  rotate: { min: -45, max: 45 },
  driftX: { min: -32, max: 32 },
  driftY: { min: -32, max: 32 },
  steps: { min: 0, max: 50 },
  octaves: { min: 1, max: 4 },
  fps: { min: 1, max: 60 },
  side: { min: 48, max: 1024 },
  blend: { min: 0, max: 1 },
} as const;

export const DEFAULT_FILM_SETTINGS: FilmSettings = {
  frames: 24,
  zoom: 1.05,
  rotate: 0,
  driftX: 0,
  driftY: 0,
  steps: 3,
  octaves: 1,
  fps: 12,
  side: 256,
  layer: 'mixed3',
  filter: '',
  objectives: '',
  blend: 0.6,
  gif: false,
};

export type FilmSettingErrors = Partial<Record<keyof FilmSettings, string>>;

/** The objective sequence typed by the user → layer names, or an error message. */
export function parseObjectives(text: string): { layers: string[]; error: string | null } {
  const terms = text.split(/[,\s→>]+/).map((s) => s.trim()).filter((s) => s !== '');
  const known = DREAM_LAYERS.map((l) => l.name);
  const usage = `use ${known.join(', ')} or a filter as layer:number (e.g. mixed4:17), separated by commas`;
  for (const term of terms) {
    let parsed: ObjectiveTerm;
    try {
      parsed = parseObjectiveTerm(term);
    } catch {
      return { layers: [], error: `“${term}” in the sequence is neither a layer nor a filter: ${usage}.` };
    }
    const channels = layerChannels(parsed.name);
    if (channels === null) return { layers: [], error: `Unknown layer “${parsed.name}” in the sequence: ${usage}.` };
    if (parsed.channel !== null && parsed.channel >= channels) {
      return { layers: [], error: `${parsed.name} has filters 0 to ${channels - 1}, so “${term}” is out of range.` };
    }
  }
  return { layers: terms, error: null };
}

/** Every invalid film setting with what is allowed. */
export function validateFilmSettings(s: FilmSettings): FilmSettingErrors {
  const errors: FilmSettingErrors = {};
  const range = (key: keyof typeof FILM_LIMITS, integer: boolean, what: string) => {
    const v = s[key];
    const { min, max } = FILM_LIMITS[key];
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) errors[key] = `Choose ${what} from ${min} to ${max}${integer ? ' (a whole number)' : ''}.`;
  };
  range('frames', true, 'a number of frames');
  range('zoom', false, 'a zoom per frame');
  range('rotate', false, 'a rotation per frame (degrees)');
  range('driftX', false, 'a sideways drift per frame (px)');
  range('driftY', false, 'a vertical drift per frame (px)');
  range('steps', true, 'a number of steps per frame');
  range('octaves', true, 'a number of octaves per frame');
  range('fps', true, 'frames per second');
  range('side', true, 'an output size (px)');
  range('blend', false, 'a detail blend');
  const filter = parseFilter(s.filter, layerChannels(s.layer));
  if (layerChannels(s.layer) === null) errors.layer = `Unknown layer ${s.layer}.`;
  if (filter.error) errors.filter = filter.error;
  if (s.gif && !errors.frames && s.frames > MAX_GIF_FRAMES) errors.frames = `A GIF holds at most ${MAX_GIF_FRAMES} frames: make fewer frames or untick the GIF.`;
  const seq = parseObjectives(s.objectives);
  if (seq.error) errors.objectives = seq.error;
  else if (seq.layers.length > 0 && filter.channel !== null) errors.objectives = 'A filter belongs to one layer: clear the filter to use a sequence (it may name filters itself, e.g. mixed4:17).';
  return errors;
}

/** The dream of each frame: the Dream panel's step size, objective, scale and seed with the film's layer, filter, steps and octaves. */
export function filmDreamParams(s: FilmSettings): DreamParams {
  const base = toDreamParams(useDreamStore.getState().settings);
  return {
    ...base,
    layers: [{ name: s.layer, weight: 1 }],
    channel: parseFilter(s.filter, layerChannels(s.layer)).channel,
    steps: s.steps,
    octaves: s.octaves,
    fromNoise: false,
  };
}

/** A file name that says how the film was made. */
export function filmFilename(kind: 'zoom' | 'clip', s: FilmSettings, size: { width: number; height: number }, frames: number, extension: string, seed: number): string {
  const seq = parseObjectives(s.objectives).layers;
  const what = seq.length > 0 ? seq.map((t) => t.replace(':', 'f')).join('-') : `${s.layer}${s.filter.trim() && s.filter.trim() !== 'all' ? `-f${s.filter.trim()}` : ''}`;
  const motion = kind === 'zoom' ? `zoom${s.zoom}${s.rotate ? `-rot${s.rotate}` : ''}-${s.fps}fps` : `clip-blend${s.blend}`;
  return `dreamlift-film-${what}-${motion}-${frames}f-${s.steps}steps-${size.width}x${size.height}-seed${seed}.${extension}`;
}

export type FilmStatus = 'idle' | 'running' | 'stopping' | 'done';

export interface FilmProgress {
  done: number;
  total: number;
  /** Estimated time left (ms); null until a frame after the first has been timed. */
  etaMs: number | null;
  elapsedMs: number;
  measuredAt: number;
}

export interface FilmOutput {
  url: string;
  filename: string;
  frames: number;
  /** Seconds. */
  duration: number;
  width: number;
  height: number;
  mimeType: string;
  cancelled: boolean;
  /** How it was encoded. */
  encoder: 'webcodecs' | 'mediarecorder';
  bytes: number;
  /** The animated GIF, when asked for. */
  gif: { url: string; filename: string; bytes: number } | null;
}

export interface FilmState {
  settings: FilmSettings;
  status: FilmStatus;
  kind: 'zoom' | 'clip';
  progress: FilmProgress | null;
  output: FilmOutput | null;
  /** Shown beside the controls: e.g. that MediaRecorder stands in for WebCodecs. */
  notice: string | null;
  setSetting: <K extends keyof FilmSettings>(key: K, value: FilmSettings[K]) => void;
  /**
   * A zoom film of the Dream panel's photo, or of `from` (e.g. the last dream, as the panel's canvas shows it;
   * the store closes it).
   */
  start: (from?: ImageBitmap) => Promise<void>;
  /** A dreamed clip of `file`. */
  startClip: (file: File) => Promise<void>;
  cancel: () => void;
}

/** Records frames where the worker cannot encode (MediaRecorder on a canvas stream; ui/film/canvas-recorder.ts). */
export interface FilmRecorder {
  add(bitmap: ImageBitmap, duration: number): Promise<void>;
  finish(): Promise<Blob>;
  cancel(): void;
}
export type RecorderFactory = (width: number, height: number, fps: number) => FilmRecorder | null;

// ---- Outside the state -------------------------------------------------------------------------

let client: FilmClient | null = null;
let controller: AbortController | null = null;
let frameSink: ((frame: FilmFrame) => void) | null = null;
let recorderFactory: RecorderFactory | null = null;
let forceRecorder = false;

const getClient = (): FilmClient => (client ??= createFilmClient(runOnDreamWorker));

/** Replaces the film client (tests pass a stub). */
export function setFilmClient(next: FilmClient | null): void {
  client = next;
}

/** The preview canvas's draw callback; it must close each bitmap. */
export function registerFilmFrameSink(sink: (frame: FilmFrame) => void): () => void {
  frameSink = sink;
  return () => {
    if (frameSink === sink) frameSink = null;
  };
}

/** How to record without WebCodecs (the UI provides it: it needs a DOM canvas). */
export function registerRecorderFactory(factory: RecorderFactory): () => void {
  recorderFactory = factory;
  return () => {
    if (recorderFactory === factory) recorderFactory = null;
  };
}

/** Use the MediaRecorder fallback even where WebCodecs works (`?film-encoder=mediarecorder`, tests). */
export function setForceRecorder(value: boolean): void {
  forceRecorder = value;
}

function filmErrorMessage(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'BadClipError') return message;
  if (name === 'BadParamsError' || name === 'BadImageError') return `The film cannot be made: ${message}.`;
  if (name === 'ModelLoadError' || name === 'BackendUnavailableError' || name === 'DeviceLostError') return userMessage(error);
  if (name === 'WorkerCrashedError') return `${message}. Your photo, settings and last film are kept; try again (a smaller output size needs less memory).`;
  return `The film failed: ${message || 'unknown error'}. Your photo, settings and last film are kept.`;
}

function revokeOutput(output: FilmOutput | null): void {
  if (!output) return;
  URL.revokeObjectURL(output.url);
  if (output.gif) URL.revokeObjectURL(output.gif.url);
}

const initial = { settings: DEFAULT_FILM_SETTINGS, status: 'idle' as FilmStatus, kind: 'zoom' as const, progress: null, output: null, notice: null };

export const useFilmStore = create<FilmState>()((set, get) => {
  /** Runs one film; `launch` starts the worker job with the common settings. */
  const run = async (
    kind: 'zoom' | 'clip',
    size: { width: number; height: number } | null,
    launch: (common: FilmCommon, onFrame: (frame: FilmFrame) => Promise<void>, signal: AbortSignal) => Promise<FilmResult>,
  ): Promise<void> => {
    const settings = get().settings;
    const firstError = Object.values(validateFilmSettings(settings))[0];
    if (firstError) {
      useDreamStore.setState({ error: firstError });
      return;
    }
    // One long job at a time in the worker.
    useDreamStore.getState().cancel();
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    set({ status: 'running', kind, progress: { done: 0, total: kind === 'zoom' ? settings.frames : 0, etaMs: null, elapsedMs: 0, measuredAt: performance.now() }, notice: null });
    useDreamStore.setState({ error: null });
    const c = getClient();
    let recorder: FilmRecorder | null = null;
    let first: { elapsed: number; done: number } | null = null;
    try {
      const encode = !forceRecorder && size !== null && (await c.capabilities(size.width, size.height)).codec !== null;
      const wantsRecorder = !encode;
      let notice: string | null = null;
      if (wantsRecorder) {
        notice = forceRecorder
          ? 'Recording with MediaRecorder (forced): each frame is held for 1/fps of real time, so timing is approximate.'
          : 'This browser cannot encode video with WebCodecs here, so the film is recorded with MediaRecorder instead: timing is approximate and the quality may be lower.';
        set({ notice });
      }
      const common: FilmCommon = { side: settings.side, dream: filmDreamParams(settings), objectives: parseObjectives(settings.objectives).layers, encode, gif: settings.gif };
      const onFrame = async (frame: FilmFrame) => {
        // A newer film replaced this one: drop its frames.
        if (controller !== mine) {
          frame.bitmap.close();
          return;
        }
        if (wantsRecorder) {
          recorder ??= recorderFactory?.(frame.width, frame.height, settings.fps) ?? null;
          await recorder?.add(frame.bitmap, frame.duration);
        }
        const done = frame.index + 1;
        const total = frame.frames || done;
        first ??= { elapsed: frame.elapsedMs, done };
        // The first frame includes warm-up (shader compilation, allocation): time the rest.
        const rate = done > first.done ? (frame.elapsedMs - first.elapsed) / (done - first.done) : frame.elapsedMs / done;
        set({ progress: { done, total, etaMs: done > first.done || total === done ? rate * (total - done) : null, elapsedMs: frame.elapsedMs, measuredAt: performance.now() } });
        if (frameSink) frameSink(frame);
        else frame.bitmap.close();
      };
      const result = await launch(common, onFrame, mine.signal);
      let blob: Blob | null = null;
      let mimeType = '';
      let extension = 'webm';
      if (result.video) {
        mimeType = result.video.mimeType;
        extension = result.video.extension;
        blob = new Blob([result.video.bytes], { type: mimeType });
      } else if (recorder) {
        blob = await (recorder as FilmRecorder).finish();
        mimeType = blob.type || 'video/webm';
        extension = /mp4/.test(mimeType) ? 'mp4' : 'webm';
      }
      if (!blob) throw new Error(wantsRecorder ? 'this browser can neither encode video (WebCodecs) nor record a canvas (MediaRecorder)' : 'no video came back');
      revokeOutput(get().output);
      const outSize = { width: result.width, height: result.height };
      const filename = filmFilename(kind, settings, outSize, result.frames, extension, useDreamStore.getState().settings.seed);
      const gifBlob = result.gif ? new Blob([result.gif], { type: 'image/gif' }) : null;
      set({
        status: 'done',
        output: {
          url: URL.createObjectURL(blob),
          filename,
          frames: result.frames,
          duration: result.duration,
          ...outSize,
          mimeType,
          cancelled: result.cancelled,
          encoder: result.video ? 'webcodecs' : 'mediarecorder',
          bytes: blob.size,
          gif: gifBlob ? { url: URL.createObjectURL(gifBlob), filename: filename.replace(/\.\w+$/, '.gif'), bytes: gifBlob.size } : null,
        },
        progress: { ...(get().progress ?? { total: result.frames }), done: result.frames, total: get().progress?.total || result.frames, etaMs: 0, elapsedMs: result.elapsedMs, measuredAt: performance.now() },
      });
    } catch (error) {
      (recorder as FilmRecorder | null)?.cancel();
      if (controller !== mine) return;
      set({ status: get().output ? 'done' : 'idle' });
      if (!isAbortError(error)) useDreamStore.setState({ error: filmErrorMessage(error) });
    } finally {
      if (controller === mine) controller = null;
    }
  };

  return {
    ...initial,
    setSetting: (key, value) => set((s) => ({ settings: { ...s.settings, [key]: value } })),

    start: async (from) => {
      const photo = from ?? getPhotoBitmap();
      if (!photo) {
        useDreamStore.setState({ error: 'Choose a photo or a sample first: the film starts from it.' });
        return;
      }
      const s = get().settings;
      const size = filmSize(photo.width, photo.height, s.side);
      const motion = { zoom: s.zoom, rotateDeg: s.rotate, driftX: s.driftX, driftY: s.driftY };
      try {
        await run('zoom', size, (common, onFrame, signal) => getClient().film(photo, { ...common, frames: s.frames, fps: s.fps, motion }, { signal, onFrame }));
      } finally {
        // The client sent the worker a copy.
        from?.close();
      }
    },

    startClip: async (file) => {
      const s = get().settings;
      // The clip's size is known only in the worker; ask for the codec at the output size.
      await run('clip', { width: s.side, height: s.side }, (common, onFrame, signal) =>
        getClient().clip(file, { ...common, blend: s.blend, maxSeconds: MAX_CLIP_SECONDS }, { signal, onFrame }),
      );
    },

    cancel: () => {
      if (get().status !== 'running') return;
      // The worker finishes the current step and returns a film of the frames made so far.
      set({ status: 'stopping' });
      controller?.abort();
    },
  };
});

/** Back to the initial state (tests). */
export function resetFilmStore(): void {
  controller?.abort();
  controller = null;
  frameSink = null;
  revokeOutput(useFilmStore.getState().output);
  useFilmStore.setState({ ...initial });
}
