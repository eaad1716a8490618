/**
 * Deep Dream's parameters, defaults and layer list, without importing tfjs,
 * so the main thread (settings, validation, progress) can use them without
 * loading it. The algorithm is in dream.ts.
 */
import type { DreamGuide } from './guide';
import type { ObjectiveKind } from './objective';

export interface DreamParams {
  /**
   * Layers whose activation is increased, with weights, e.g. [{ name: 'mixed3', weight: 1 }];
   * an entry with a `channel` counts only that filter of its layer (a film's filter sequence).
   */
  layers: { name: string; weight: number; channel?: number }[];
  /** One channel (filter) of the single chosen layer, or null for the whole layer. */
  channel: number | null;
  objective: ObjectiveKind;
  /** Number of scales, ≥ 1. */
  octaves: number;
  /** Size ratio between successive octaves, > 1. */
  octaveScale: number;
  /** Gradient steps per octave, ≥ 0. */
  steps: number;
  /** Step in model input units per step, for a gradient normalised to mean |g| = 1. */
  stepSize: number;
  /** Above this side length (px) the gradient is computed tile by tile. */
  tileSize: number;
  /** Largest random roll (px) applied before each gradient step. */
  jitter: number;
  seed: number;
  /** Yield a frame every N steps (and always at the end of an octave). */
  frameEvery: number;
  /** Start from seeded noise instead of the photo (activation maximisation). */
  fromNoise: boolean;
  /** σ (px) of a Gaussian blur of the gradient before each step; 0 or absent = none. */
  gradientBlur?: number;
  /**
   * Guided dream: the guide image's features at the single chosen layer
   * (guide.ts's `guideFeatures`; the caller owns and disposes them). When set,
   * the objective is the guide's best-match dot product instead of `objective`;
   * exclusive with a channel. Never sent to a worker (it holds a tensor).
   */
  guide?: DreamGuide;
}

/** Longest side (px) a guide image is scaled down to before its features are taken (the notebook's guides were 224 px). */
export const GUIDE_MAX_SIDE = 224;

/** Defaults chosen by looking at results on the sample photos (mixed3, l2). */
export const DEFAULT_DREAM_PARAMS: DreamParams = {
  layers: [{ name: 'mixed3', weight: 1 }],
  channel: null,
  objective: 'l2',
  octaves: 4,
  octaveScale: 1.4,
  steps: 10,
  stepSize: 0.01,
  tileSize: 512,
  jitter: 32,
  seed: 1,
  frameEvery: 2,
  fromNoise: false,
};

/** The trunk's dream layers, with channel counts and what each tends to produce. */
export const DREAM_LAYERS: readonly { name: string; channels: number; description: string }[] = [
  { name: 'mixed0', channels: 256, description: 'fine textures: strokes, ripples, small repeating grain' },
  { name: 'mixed1', channels: 288, description: 'textures and simple patterns: brush-like swirls, mesh, dots' },
  { name: 'mixed2', channels: 288, description: 'richer patterns: scales, spirals, woven and tiled motifs' },
  { name: 'mixed3', channels: 768, description: 'the classic look: eyes, spirals, shells and fur-like motifs' },
  { name: 'mixed4', channels: 768, description: 'object parts: eyes, snouts, feathers, architectural fragments' },
  { name: 'mixed5', channels: 768, description: 'larger object parts, faintly; on small images (≤ 256 px) mostly coloured noise, so use large images and more steps' },
];

export interface DreamFrame {
  /** 0-based octave of this frame. */
  octave: number;
  octaves: number;
  /** Steps done in this octave (1-based; 0 before any step). */
  step: number;
  steps: number;
  width: number;
  height: number;
  /** RGBA, width·height·4 bytes, at the octave's size. */
  pixels: Uint8ClampedArray;
  /** The objective's value at the last gradient step (NaN before any). */
  objective: number;
}
