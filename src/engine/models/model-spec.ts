/**
 * The tfjs-free description of a classifier's input and outputs, shared by
 * the engine (which guesses it from a model and preprocesses photos by it),
 * the worker and the main-thread model catalogue (which stores and edits it).
 * Plain data only, no tfjs import: the main thread may import this file.
 */

/**
 * How photo pixels (0..255 per channel) become model input units:
 * - 'unit': x/255 → [0, 1]
 * - 'signed': x/127.5 − 1 → [−1, 1] (Keras' "tf" mode: MobileNet, Inception)
 * - 'raw': x → [0, 255] (models that start with a Rescaling layer)
 * - 'imagenet': (x/255 − mean)/std with ImageNet's mean and std per channel (Keras' "torch" mode)
 */
export type PixelScaling = 'unit' | 'signed' | 'raw' | 'imagenet';

/** 'crop': scale to cover H×W and cut the centre; 'fit': scale to fit inside and pad with black. */
export type ResizeMode = 'crop' | 'fit';

export interface InputSpec {
  height: number;
  width: number;
  channels: 1 | 3;
  scaling: PixelScaling;
  resize: ResizeMode;
  /** The model accepts any H×W (its input shape has null sides); height/width are then the user's choice. */
  isDynamic: boolean;
}

export const PIXEL_SCALINGS: readonly PixelScaling[] = ['unit', 'signed', 'raw', 'imagenet'];
export const RESIZE_MODES: readonly ResizeMode[] = ['crop', 'fit'];

export const SCALING_NAMES: Record<PixelScaling, string> = {
  unit: '0..1 (x / 255)',
  signed: '−1..1 (x / 127.5 − 1)',
  raw: '0..255 (unchanged)',
  imagenet: 'ImageNet mean / std',
};

/** ImageNet's per-channel statistics on 0..1 pixels (torchvision / Keras "torch" preprocessing). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Smallest and largest side a user may choose for a dynamic input. */
export const MIN_INPUT_SIDE = 8;
export const MAX_INPUT_SIDE = 1024;

/** The largest model the app agrees to load: its weights as declared in model.json, in bytes. */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/** What the engine learns from a model when it is loaded (plain data). */
export interface ModelFacts {
  /** The guessed input settings (editable by the user). */
  input: InputSpec;
  /** Number of outputs (classes). */
  numClasses: number;
  /** Labels found in the model's userDefinedMetadata, or null. */
  labels: string[] | null;
  /** Declared weight bytes. */
  weightBytes: number;
  layerCount: number;
}

/** The label of class `index`: the model's label, or "class i" without labels. */
export function classLabel(labels: readonly string[] | null | undefined, index: number): string {
  return labels?.[index] ?? `class ${index}`;
}

/** "12.3 MB" */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} bytes`;
}

/** Clamps a user's side choice into [MIN_INPUT_SIDE, MAX_INPUT_SIDE]; NaN → fallback. */
export function clampSide(value: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback;
  return Math.max(MIN_INPUT_SIDE, Math.min(MAX_INPUT_SIDE, Math.round(value)));
}
