/**
 * The smallest input side at which a free-sized model has an output, found
 * by shape inference alone (each layer's computeOutputShape) so that no
 * kernel ever runs on an impossible size: some backends (WASM) do not refuse
 * a convolution whose output would be empty but corrupt their memory
 * ("memory access out of bounds", seen with the MNIST model's 4×4 valid
 * convolutions at 1 px).
 */
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from './dream-model';

/**
 * Every layer's output shape when `trunk` (free-sized, RGB, one output per
 * layer) gets a [1, side, side, 3] input, in its topological order; null when
 * a layer refuses its input shape or an output has no pixels.
 */
function shapesAt(trunk: tf.LayersModel, side: number): Map<string, number[]> | null {
  const shapes = new Map<string, number[]>();
  try {
    for (const layer of trunk.layers) {
      if (layer.getClassName() === 'InputLayer') {
        shapes.set(layer.name, [1, side, side, 3]);
        continue;
      }
      const inputs = layer.inboundNodes[0]!.inboundLayers.map((l) => shapes.get(l.name)!);
      const out = layer.computeOutputShape(inputs.length === 1 ? inputs[0]! : inputs) as number[];
      if (out.some((d) => typeof d === 'number' && d < 1)) return null;
      shapes.set(layer.name, out);
    }
  } catch {
    return null;
  }
  return shapes;
}

/** Smallest input side (px) at which every layer of `trunk` has at least one pixel: doubled until one works, then bisected. */
export function smallestSide(trunk: tf.LayersModel, maxSide = 1024): number {
  const works = (side: number): boolean => shapesAt(trunk, side) !== null;
  let hi = 1;
  while (!works(hi)) {
    if (hi >= maxSide) throw new ModelLoadError(`the model gives no output for any input up to ${maxSide}×${maxSide} px`);
    hi = Math.min(maxSide, hi * 2);
  }
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (works(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
