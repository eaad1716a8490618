/**
 * Feature visualisation parameters and defaults, without importing tfjs, so
 * the main thread (gallery settings, cache keys, CLI parsing) can use them.
 * The algorithm is in visualize.ts.
 */
import type { VisualizationObjective } from '../dream/objective';

export interface VisualizeParams {
  /** The layer whose unit is visualised (the name of a layer of the model). */
  layer: string;
  /** The channel (filter) index; ignored by the `layer` objective. */
  channel: number;
  objective: VisualizationObjective;
  /** Side of the square image, px. */
  size: number;
  /** Adam steps. */
  steps: number;
  /** Adam learning rate on the Fourier coefficients. */
  learningRate: number;
  /**
   * Exponent of the 1/f^decay frequency scaling. Lucid uses 1; on this
   * InceptionV3 trunk 1.5 halves the power above 0.25 cycles/px with the same
   * relative activation (docs/notes-fv.md).
   */
  decay: number;
  /** Random transforms every step (transformation robustness); false only for experiments. */
  robust: boolean;
  seed: number;
  /** Yield a frame with pixels every N steps (and always at the end); 0 = only at the end. */
  frameEvery: number;
}

/** Defaults tuned on mixed3/mixed4 channels of the trunk (docs/notes-fv.md). */
export const DEFAULT_VISUALIZE_PARAMS: VisualizeParams = {
  layer: 'mixed4',
  channel: 0,
  objective: 'channel',
  size: 128,
  steps: 128,
  learningRate: 0.05,
  decay: 1.5,
  robust: true,
  seed: 1,
  frameEvery: 0,
};

/** Cheap settings for gallery thumbnails (a few seconds each on WASM). */
export const THUMBNAIL_PARAMS: Pick<VisualizeParams, 'size' | 'steps' | 'learningRate' | 'decay' | 'robust' | 'seed' | 'objective'> = {
  size: 64,
  steps: 48,
  learningRate: 0.08,
  decay: 1.5,
  robust: true,
  seed: 1,
  objective: 'channel',
};

export interface VisualizeFrame {
  /** Steps done (1-based; 0 before any). */
  step: number;
  steps: number;
  /** The objective's value at the last step (NaN before any). */
  objective: number;
  width: number;
  height: number;
  /** RGBA, width·height·4 bytes; null for frames that only report progress. */
  pixels: Uint8ClampedArray | null;
}
