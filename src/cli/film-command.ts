/**
 * `film` subcommand: a Deep Dream zoom film in Node, written as numbered PNG
 * frames (Node has no WebCodecs; join them with ffmpeg, see FILM_USAGE).
 *
 *   npm run cli -- film --image photo.jpg --frames 60 --zoom 1.05 --out-dir frames/
 *     [--rotate DEG] [--drift-x PX] [--drift-y PX] [--objectives mixed3,mixed4:17,mixed5]
 *     and every option of `dream` except --out (--layer, --channel, --steps,
 *     --octaves, --step-size, --max-side, --seed, --objective, --backend …)
 *
 * Frames are out-dir/frame-00001.png, frame-00002.png, … Each frame is a
 * dream (its --steps and --octaves, default 4 steps and 1 octave) of the
 * previous frame zoomed; frame k uses seed + k.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { zoomFilm, type FilmParams } from '../engine/film/film';
import { decodeToTensor, encodePng } from '../engine/image/node-codec';
import { fileSystemIO } from '../engine/models/fs-io';
import { loadDreamModel } from '../engine/models/dream-model';
import { DREAM_USAGE, parseDreamArgs, UsageError, type DreamCommandOptions } from './dream-command';
import { useNodeBackend } from './node-backend';

export const FILM_USAGE =
  'usage: film --image <in.png|jpg> --frames N --out-dir DIR [--zoom 1.05] [--rotate DEG] [--drift-x PX] [--drift-y PX] ' +
  '[--objectives mixed3,mixed4:17,… (layers, or filters as layer:number)] and the dream options (no --out): ' +
  DREAM_USAGE.replace(/^usage: dream --image \S+ --out \S+ /, '') +
  '\njoin the frames: ffmpeg -framerate 12 -i DIR/frame-%05d.png -vf "pad=ceil(iw/2)*2:ceil(ih/2)*2" -c:v libx264 -pix_fmt yuv420p film.mp4';

export interface FilmCommandOptions {
  dream: DreamCommandOptions;
  outDir: string;
  film: FilmParams;
}

const FILM_KEYS = ['frames', 'zoom', 'rotate', 'drift-x', 'drift-y', 'out-dir', 'objectives'] as const;

/** Film frame defaults where the user gave none: a few steps at one scale, so frames follow each other closely. */
const FILM_DREAM_DEFAULTS: Record<string, string> = { steps: '4', octaves: '1' };

/** Parses the subcommand's arguments (without the word `film`). Throws UsageError. */
export function parseFilmArgs(argv: readonly string[]): FilmCommandOptions {
  const film = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const key = arg.startsWith('--') ? arg.slice(2) : null;
    if (key === 'out') throw new UsageError(`film writes numbered frames: use --out-dir instead of --out\n${FILM_USAGE}`);
    if (key && (FILM_KEYS as readonly string[]).includes(key)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${key} needs a value\n${FILM_USAGE}`);
      film.set(key, value);
      i++;
    } else rest.push(arg);
  }
  const outDir = film.get('out-dir');
  if (!outDir || !film.has('frames')) throw new UsageError(`--frames and --out-dir are required\n${FILM_USAGE}`);
  for (const [key, value] of Object.entries(FILM_DREAM_DEFAULTS)) if (!rest.includes(`--${key}`)) rest.push(`--${key}`, value);
  const dream = parseDreamArgs([...rest, '--out', path.join(outDir, 'frame.png')]);
  const num = (key: string, fallback: number): number => {
    const v = film.get(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--${key} must be a number, got "${v}"`);
    return n;
  };
  const frames = num('frames', 1);
  if (!Number.isInteger(frames) || frames < 1) throw new UsageError('--frames must be a whole number ≥ 1');
  const objectives = (film.get('objectives') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return {
    dream,
    outDir,
    film: {
      frames,
      motion: { zoom: num('zoom', 1.05), rotateDeg: num('rotate', 0), driftX: num('drift-x', 0), driftY: num('drift-y', 0) },
      dream: dream.params,
      objectives,
    },
  };
}

/** The path of frame `index` (0-based): DIR/frame-00001.png for the first. */
export function framePath(outDir: string, index: number): string {
  return path.join(outDir, `frame-${String(index + 1).padStart(5, '0')}.png`);
}

/**
 * Runs `film` with parsed options: reads and (down)sizes the image, makes the
 * film, writes each frame as it comes. `log` gets one line per frame. Returns
 * the paths written.
 */
export async function runFilm(options: FilmCommandOptions, log: (line: string) => void = () => {}): Promise<string[]> {
  await useNodeBackend(options.dream.backend);
  const model = await loadDreamModel(fileSystemIO(options.dream.model));
  const decoded = decodeToTensor(new Uint8Array(await readFile(options.dream.image)));
  let photo: tf.Tensor3D = decoded;
  const written: string[] = [];
  try {
    const [h, w] = decoded.shape;
    const f = Math.min(1, options.dream.maxSide / Math.max(h, w));
    if (f < 1) photo = tf.tidy(() => tf.image.resizeBilinear(decoded, [Math.max(1, Math.round(h * f)), Math.max(1, Math.round(w * f))], false, true));
    await mkdir(options.outDir, { recursive: true });
    const t0 = Date.now();
    for await (const frame of zoomFilm(model, photo, options.film)) {
      const file = framePath(options.outDir, frame.index);
      await writeFile(file, encodePng(frame.width, frame.height, frame.pixels));
      written.push(file);
      const perFrame = (Date.now() - t0) / (frame.index + 1);
      const mix = frame.layers.map((l) => {
        const what = l.channel === undefined ? l.name : `${l.name}:${l.channel}`;
        return frame.layers.length > 1 ? `${what}×${l.weight.toFixed(2)}` : what;
      }).join(' + ');
      log(`frame ${frame.index + 1}/${frame.frames} ${frame.width}×${frame.height} ${mix} objective ${frame.objective.toFixed(4)} (${((perFrame * (frame.frames - frame.index - 1)) / 1000).toFixed(0)} s left)`);
    }
    return written;
  } finally {
    if (photo !== decoded) photo.dispose();
    decoded.dispose();
    model.dispose();
  }
}

/** Entry point for src/cli/main.ts: `film …` arguments → exit code. */
export async function filmCommand(argv: readonly string[]): Promise<number> {
  let options: FilmCommandOptions;
  try {
    options = parseFilmArgs(argv);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const t0 = Date.now();
  const files = await runFilm(options, (line) => console.error(line));
  console.error(`wrote ${files.length} frames to ${options.outDir} (${tf.getBackend()}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.error(`join them: ffmpeg -framerate 12 -i ${path.join(options.outDir, 'frame-%05d.png')} -vf "pad=ceil(iw/2)*2:ceil(ih/2)*2" -c:v libx264 -pix_fmt yuv420p film.mp4`);
  return 0;
}
