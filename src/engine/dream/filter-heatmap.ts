/**
 * Where in a photo a filter (one channel of a trunk layer) or a whole layer
 * finds what it responds to: DeepLIFT (Shrikumar et al. 2017) with the
 * hidden-layer target t = the mean activation of that channel (or layer),
 * attributed to the photo's pixels (deeplift/hidden-target.ts), relative to a
 * reference photo — by default the photo blurred, so the map shows the
 * detail (edges, texture) that excites the filter rather than the colours
 * the blur keeps; black as an option. Contributions are summed over the
 * three colour channels into one map per pixel, Σ = Δt.
 *
 * The trunk takes any input size ([null, null, 3]), but the DeepLIFT plan
 * needs fixed shapes (its transposed convolutions), so the trunk is rebuilt
 * on a fixed-size input (same topology, a copy of the weights) and cached
 * for one size. Max pooling uses the 'crossmax'
 * rule (max-pool.ts), which keeps summation-to-delta: the reference code's
 * 'gradient' routing does not, and the readout would not add up.
 */
import * as tf from '@tensorflow/tfjs';
import { releaseDeepLiftCache } from '../deeplift/deeplift';
import { deepLiftHiddenTarget } from '../deeplift/hidden-target';
import type { DreamModel } from '../models/dream-model';
import { gaussianBlur } from './smooth';

export type HeatmapReference = 'blurred' | 'black';

export interface FilterHeatmapParams {
  /** A trunk layer, e.g. 'mixed3'. */
  layer: string;
  /** Its channel whose mean activation is explained; null: the whole layer. */
  channel: number | null;
  reference: HeatmapReference;
  rule: 'rescale' | 'revealcancel';
  /** The photo is scaled down (bilinear) so its longer side is at most this (default 224): the pass costs ~3 forward passes. */
  maxSide?: number;
}

export const HEATMAP_MAX_SIDE = 224;

export interface FilterHeatmap {
  width: number;
  height: number;
  /** Contribution of each pixel of the (scaled) photo, colour channels summed, row-major [height·width]. */
  map: Float32Array;
  /** Σ map. */
  sum: number;
  /** Δt = t(photo) − t(reference). */
  delta: number;
  /** t(photo) and t(reference): the filter's mean activation. */
  value: number;
  referenceValue: number;
}

/** Blur of the reference: wide enough to wash out texture, relative to the photo's size. */
export function referenceSigma(width: number, height: number): number {
  return Math.max(2, Math.min(width, height) / 24);
}

interface Replay {
  key: string;
  /** The trunk rebuilt on a fixed input size, with copies of its weights. */
  fixed: tf.LayersModel;
  /** Single-output views of `fixed` per layer (they share its layers). */
  byLayer: Map<string, tf.LayersModel>;
}
const replays = new WeakMap<tf.LayersModel, Replay>();

function releaseReplay(r: Replay): void {
  for (const m of r.byLayer.values()) releaseDeepLiftCache(m);
  r.fixed.dispose();
}

type TopologyJson = { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };

/**
 * `trunk` up to `layer` on a fixed [height, width, 3] input. The trunk's
 * own layers cannot be applied to a second input: that would give them two
 * inbound nodes and break the dream's per-layer sub-models. So the topology
 * is rebuilt from its JSON with the input size fixed and the weights copied;
 * one size is cached per trunk (the working size changes rarely).
 */
async function fixedSizeModel(trunk: tf.LayersModel, layer: string, height: number, width: number): Promise<tf.LayersModel> {
  const key = `${height}x${width}`;
  let replay = replays.get(trunk);
  if (replay?.key !== key) {
    if (replay) releaseReplay(replay);
    replays.delete(trunk);
    const topology = trunk.toJSON(null, false) as unknown as TopologyJson;
    for (const l of topology.config.layers) {
      if (l.class_name === 'InputLayer') l.config.batch_input_shape = [null, height, width, 3];
    }
    const fixed = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
    for (const l of trunk.layers) {
      const weights = l.getWeights();
      if (weights.length > 0) fixed.getLayer(l.name).setWeights(weights);
    }
    replay = { key, fixed, byLayer: new Map() };
    replays.set(trunk, replay);
  }
  let sub = replay.byLayer.get(layer);
  if (!sub) {
    // A linear Activation on top: the DeepLIFT plan drops a model's final activation (the pre-softmax rule),
    // and the layer's own ReLU must stay part of what is explained.
    const top = tf.layers.activation({ activation: 'linear', name: `heatmap_top_${layer}` }).apply(replay.fixed.getLayer(layer).output) as tf.SymbolicTensor;
    sub = tf.model({ inputs: replay.fixed.inputs, outputs: top, name: `heatmap_${layer}_${key}` });
    replay.byLayer.set(layer, sub);
  }
  return sub;
}

/** Frees the fixed-size copy of `model`'s trunk and its DeepLIFT plans. */
export function releaseFilterHeatmaps(model: DreamModel): void {
  const replay = replays.get(model.trunk);
  if (replay) releaseReplay(replay);
  replays.delete(model.trunk);
}

/**
 * The heatmap of `params` on `photo255` ([h, w, 3] float32 in 0..255). Not
 * disposing the photo; disposes everything else it creates (the fixed-size
 * copy of the trunk and its plans stay cached until releaseFilterHeatmaps).
 */
export async function filterHeatmap(model: DreamModel, photo255: tf.Tensor3D, params: FilterHeatmapParams): Promise<FilterHeatmap> {
  if (!model.layerNames.includes(params.layer)) throw new RangeError(`the model has no dream layer named ${params.layer}`);
  const [h0, w0] = photo255.shape;
  const shrink = Math.min(1, (params.maxSide ?? HEATMAP_MAX_SIDE) / Math.max(h0, w0));
  const height = Math.max(1, Math.round(h0 * shrink));
  const width = Math.max(1, Math.round(w0 * shrink));
  if (height < model.minSide || width < model.minSide) {
    throw new RangeError(`the photo (${width}×${height}) is smaller than the model's ${model.minSide} px minimum`);
  }
  const net = await fixedSizeModel(model.trunk, params.layer, height, width);
  const [x, x0] = tf.tidy(() => {
    const sized = shrink < 1 ? tf.image.resizeBilinear(photo255, [height, width], false, true) : photo255;
    const input = tf.add(tf.mul(sized, model.input.scale), model.input.offset).expandDims(0) as tf.Tensor4D;
    if (params.reference === 'black') return [input, tf.fill(input.shape, model.input.offset)];
    // Normalised blur (Σ weights inside the image), so the edges keep their brightness.
    const sigma = referenceSigma(width, height);
    const weight = gaussianBlur(tf.ones([1, height, width, 1]), sigma);
    return [input, tf.div(gaussianBlur(input, sigma), weight)];
  });
  try {
    const r = await deepLiftHiddenTarget(net, x, {
      rule: params.rule, layer: params.layer, channel: params.channel, reference: x0, maxPoolMode: 'crossmax',
    });
    const map = new Float32Array(width * height);
    for (let i = 0; i < map.length; i++) map[i] = r.attributions[3 * i]! + r.attributions[3 * i + 1]! + r.attributions[3 * i + 2]!;
    return { width, height, map, sum: r.sum, delta: r.delta, value: r.value, referenceValue: r.referenceValue };
  } finally {
    tf.dispose([x, x0]);
  }
}
