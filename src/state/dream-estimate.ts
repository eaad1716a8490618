/**
 * How long a dream will take on this device, before it starts, and the
 * backend-dependent default working size. Pure functions; the store keeps the
 * step cost and refines it from what it measures.
 *
 * Cost model: one gradient step on an image of P pixels takes
 * fixedMs + msPerPixel · P (the convolutions are linear in the pixel count,
 * plus a per-step overhead of kernel launches, jitter and the frame's
 * readback). A dream is Σ over its octaves of steps × that.
 */
import type { BackendInfo, BackendName } from '../engine/backend-names';
import { octaveSizes } from '../engine/dream/octaves';

export interface StepCost {
  backend: BackendName;
  fixedMs: number;
  msPerPixel: number;
  /**
   * 'typical': DESIGN.md's measurements for this kind of backend, not this device;
   * 'calibrated': timed gradient passes on this device after the model loaded;
   * 'measured': corrected by a finished dream on this device.
   */
  source: 'typical' | 'calibrated' | 'measured';
}

/** The parts of the settings that set the amount of work. */
export interface WorkSettings {
  octaves: number;
  octaveScale: number;
  steps: number;
}

/**
 * Typical costs measured on the project's machines (DESIGN.md, "Environment
 * facts": a step at 96×96 took 5.7 s on WebGPU/SwiftShader,
 * 9.3 s on WebGL/SwiftShader; 224×224 took 11 s on the pure-JS CPU backend).
 * A hardware GPU has no typical figure: it varies too much, so we wait for the calibration.
 */
export function typicalStepCost(info: Pick<BackendInfo, 'name' | 'isSoftwareGpu'>): StepCost | null {
  const perPixel = (ms: number, side: number) => ms / (side * side);
  const typical = (msPerPixel: number): StepCost => ({ backend: info.name, fixedMs: 0, msPerPixel, source: 'typical' });
  // A whole first dream here (256×170, 4 octaves × 10 steps, ≈ 0.83 M pixel-steps) took 24.4 s on WASM:
  // 0.03 ms per pixel-step, a little above the bare 96×96 pass (0.022) because of jitter, update and frames.
  if (info.name === 'wasm') return typical(0.03);
  if (info.name === 'cpu') return typical(perPixel(11_000, 224));
  if (info.name === 'webgpu' && info.isSoftwareGpu) return typical(perPixel(5_700, 96));
  if (info.name === 'webgl' && info.isSoftwareGpu) return typical(perPixel(9_300, 96));
  return null;
}

/** A straight line through timed passes at two or more sizes (least squares; slope and intercept kept ≥ 0). */
export function fitStepCost(backend: BackendName, samples: readonly { pixels: number; ms: number }[]): StepCost {
  if (samples.length === 0) throw new RangeError('no timings to fit');
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.pixels, 0) / n;
  const my = samples.reduce((a, s) => a + s.ms, 0) / n;
  const sxx = samples.reduce((a, s) => a + (s.pixels - mx) ** 2, 0);
  const sxy = samples.reduce((a, s) => a + (s.pixels - mx) * (s.ms - my), 0);
  let msPerPixel = sxx > 0 ? Math.max(0, sxy / sxx) : my / Math.max(1, mx);
  let fixedMs = my - msPerPixel * mx;
  if (fixedMs < 0) {
    // The overhead cannot be negative: the line through the origin instead.
    fixedMs = 0;
    msPerPixel = samples.reduce((a, s) => a + s.ms * s.pixels, 0) / samples.reduce((a, s) => a + s.pixels * s.pixels, 0);
  }
  return { backend, fixedMs, msPerPixel, source: 'calibrated' };
}

/** Estimated duration (ms) of a dream of `width`×`height` with these settings at this cost. */
export function estimateDreamMs(width: number, height: number, settings: WorkSettings, cost: StepCost, minSide = 1): number {
  const sizes = octaveSizes(width, height, settings.octaves, settings.octaveScale, minSide);
  const steps = Math.max(0, Math.floor(settings.steps));
  return sizes.reduce((total, s) => total + steps * (cost.fixedMs + cost.msPerPixel * s.width * s.height), 0);
}

/** The cost scaled so that it would have predicted a finished dream's duration. */
export function correctStepCost(cost: StepCost, predictedMs: number, actualMs: number): StepCost {
  if (!(predictedMs > 0) || !(actualMs > 0)) return cost;
  const k = actualMs / predictedMs;
  return { ...cost, fixedMs: cost.fixedMs * k, msPerPixel: cost.msPerPixel * k, source: 'measured' };
}

/** Today's default working size: what a hardware GPU dreams quickly. */
export const GPU_MAX_SIDE = 512;

/**
 * The default max side for a backend. With the default 4 octaves × 10 steps
 * the first dream of a 4:3 photo then takes about 20 s on WASM at 256 px and
 * about a minute on the pure-JS CPU backend or a software GPU at 128 px
 * (the typical costs above), instead of 4–5 minutes at 512 px.
 */
export function defaultMaxSide(info: Pick<BackendInfo, 'name' | 'isSoftwareGpu'>): number {
  if (info.name === 'wasm') return 256;
  if (info.name === 'cpu' || info.isSoftwareGpu) return 128;
  return GPU_MAX_SIDE;
}

/** "about 20 s", "about 3 min", "under a second". */
export function formatEstimate(ms: number): string {
  const s = ms / 1000;
  if (s < 1) return 'under a second';
  if (s < 90) return `about ${Math.max(1, Math.round(s))} s`;
  return `about ${Math.round(s / 60)} min`;
}
