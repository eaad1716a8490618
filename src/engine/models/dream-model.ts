/**
 * Loading the InceptionV3 trunk (input → mixed5, batch norms folded; see
 * public/models/inception-mixed5/README.md) for Deep Dream, and sub-models
 * whose outputs are chosen layers. Weights load as non-trainable, so gradients
 * are taken only with respect to the input image (much faster, and WASM has no
 * Conv2DBackpropFilter kernel at all).
 */
import * as tf from '@tensorflow/tfjs';

/** Thrown when a Deep Dream model cannot be fetched, parsed or lacks the layers asked for. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export { TRUNK_INPUT, TRUNK_LAYERS, TRUNK_MIN_SIDE } from './trunk-info';
import { TRUNK_INPUT, TRUNK_LAYERS, TRUNK_MIN_SIDE } from './trunk-info';

/** How photo pixels (0..255) map to model input units: input = pixels255·scale + offset, valid in [min, max]. */
export interface InputMapping {
  scale: number;
  offset: number;
  min: number;
  max: number;
}

/** A trunk model for Deep Dream plus cached sub-models per layer set. */
export interface DreamModel {
  /** The whole model: [1, h, w, 3] in model input units → its outputs. Owned by this object. */
  readonly trunk: tf.LayersModel;
  readonly input: InputMapping;
  /** Smallest input side (px) for which every dream layer has at least one pixel. */
  readonly minSide: number;
  /** Names of the layers that may be targeted (those found in the trunk). */
  readonly layerNames: readonly string[];
  /**
   * A model with the same input whose outputs are the named layers, in that
   * order; cached per layer list. Shares the trunk's weights: do not dispose it.
   * Throws ModelLoadError for an unknown layer.
   */
  forLayers(names: readonly string[]): tf.LayersModel;
  /** Disposes the trunk's weights; the object must not be used afterwards. */
  dispose(): void;
}

/**
 * Wraps any layers model as a DreamModel (the shipped trunk, or a tiny stand-in
 * in tests). Sets every layer non-trainable. Takes ownership of `model`.
 */
export function createDreamModel(model: tf.LayersModel, input: InputMapping = TRUNK_INPUT, layerNames?: readonly string[], minSide = 1): DreamModel {
  for (const layer of model.layers) layer.trainable = false;
  const names = layerNames ?? model.layers.map((l) => l.name).filter((n) => (TRUNK_LAYERS as readonly string[]).includes(n));
  const cache = new Map<string, tf.LayersModel>();
  return {
    trunk: model,
    input,
    minSide,
    layerNames: names,
    forLayers(wanted: readonly string[]): tf.LayersModel {
      if (wanted.length === 0) throw new ModelLoadError('no layer chosen');
      const key = wanted.join(',');
      let sub = cache.get(key);
      if (!sub) {
        const outputs = wanted.map((n) => {
          if (!names.includes(n)) throw new ModelLoadError(`the model has no dream layer named ${n}`);
          return model.getLayer(n).output as tf.SymbolicTensor;
        });
        sub = tf.model({ inputs: model.inputs, outputs, name: `dream_${wanted.join('_')}` });
        cache.set(key, sub);
      }
      return sub;
    },
    dispose(): void {
      cache.clear();
      model.dispose();
    },
  };
}

/**
 * Loads the Deep Dream trunk from a URL (e.g. `models/inception-mixed5/model.json`)
 * or an IOHandler (e.g. `fileSystemIO(path)` in Node). `onProgress` gets 0..1
 * while weights download. Throws ModelLoadError when loading fails or the
 * model lacks mixed0 … mixed5. The caller owns the result (`dispose()`).
 */
export async function loadDreamModel(ioOrUrl: string | tf.io.IOHandler, onProgress?: (fraction: number) => void): Promise<DreamModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(ioOrUrl, onProgress ? { onProgress } : undefined);
  } catch (err) {
    throw new ModelLoadError(`cannot load the Deep Dream model: ${err instanceof Error ? err.message : String(err)}`);
  }
  const present = new Set(model.layers.map((l) => l.name));
  const missing = TRUNK_LAYERS.filter((n) => !present.has(n));
  if (missing.length > 0) {
    model.dispose();
    throw new ModelLoadError(`the Deep Dream model lacks layers ${missing.join(', ')}`);
  }
  return createDreamModel(model, TRUNK_INPUT, TRUNK_LAYERS, TRUNK_MIN_SIDE);
}
