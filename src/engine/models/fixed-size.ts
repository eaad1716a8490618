/**
 * A model with a dynamic input ([batch, null, null, C], e.g. a fully
 * convolutional classifier ending in GlobalAveragePooling2D) at one fixed
 * size. DeepLIFT's plan needs every layer's shape, so the model is rebuilt
 * from its JSON with the input size set (in nested models too) and its
 * weights copied. One size is kept per model (the user changes it rarely);
 * `releaseFixedSize` frees the copy and its DeepLIFT plan.
 */
import * as tf from '@tensorflow/tfjs';
import { releaseDeepLiftCache } from '../deeplift/deeplift';

interface Fixed {
  key: string;
  model: tf.LayersModel;
}
const copies = new WeakMap<tf.LayersModel, Fixed>();

/** True when the model's input height or width is not fixed. */
export function hasDynamicInput(model: tf.LayersModel): boolean {
  const shape = model.inputs[0]?.shape ?? [];
  return shape.length === 4 && (typeof shape[1] !== 'number' || typeof shape[2] !== 'number');
}

/** Sets every 4-D `batch_input_shape` with a free height or width in `config` (recursively) to height × width. */
function fixInputShapes(config: unknown, height: number, width: number): void {
  if (Array.isArray(config)) {
    for (const c of config) fixInputShapes(c, height, width);
    return;
  }
  if (config === null || typeof config !== 'object') return;
  const o = config as Record<string, unknown>;
  const shape = o.batch_input_shape;
  if (Array.isArray(shape) && shape.length === 4 && (shape[1] === null || shape[2] === null)) {
    o.batch_input_shape = [shape[0], height, width, shape[3]];
  }
  for (const v of Object.values(o)) fixInputShapes(v, height, width);
}

/** `model` itself when its input size is fixed; otherwise its copy at height × width (cached, one size per model). */
export async function atInputSize(model: tf.LayersModel, height: number, width: number): Promise<tf.LayersModel> {
  if (!hasDynamicInput(model)) return model;
  const key = `${height}x${width}`;
  const cached = copies.get(model);
  if (cached?.key === key) return cached.model;
  releaseFixedSize(model);
  const topology = model.toJSON(null, false) as unknown as Record<string, unknown>;
  fixInputShapes(topology, height, width);
  const fixed = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  try {
    for (const l of model.layers) {
      const weights = l.getWeights();
      if (weights.length > 0) fixed.getLayer(l.name).setWeights(weights);
    }
  } catch (e) {
    fixed.dispose();
    throw e;
  }
  copies.set(model, { key, model: fixed });
  return fixed;
}

/** Frees the fixed-size copy of `model` (if any) and its DeepLIFT plan. */
export function releaseFixedSize(model: tf.LayersModel): void {
  const cached = copies.get(model);
  if (!cached) return;
  copies.delete(model);
  releaseDeepLiftCache(cached.model);
  cached.model.dispose();
}
