/**
 * A user's model as one flat functional graph in Keras JSON (the form
 * tf.models.modelFromJSON rebuilds from), with its layer objects by name.
 * A Sequential's JSON has no graph, so the model is seen through a
 * functional wrapper (which also flattens a Sequential whose first layer is
 * a model); a nested model used once with one input and one output
 * (transfer learning: `x = base(inputs)`) is replaced by its own layers, so
 * they can be listed, folded and rebuilt like the others.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelLoadError } from './dream-model';

export type NodeRef = [string, number, number, Record<string, unknown>];
export interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: NodeRef[][];
}
export interface GraphJson {
  class_name: string;
  config: { name: string; layers: LayerJson[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] };
  [key: string]: unknown;
}

export type LayerOf = (name: string) => tf.layers.Layer;

const CONTAINERS = ['Model', 'Functional', 'Sequential'];

/** Every layer of `model` by name, those of nested models included. */
function layerIndex(model: tf.LayersModel, into = new Map<string, tf.layers.Layer>()): Map<string, tf.layers.Layer> {
  for (const l of model.layers) {
    into.set(l.name, l);
    if (l instanceof tf.LayersModel) layerIndex(l, into);
  }
  return into;
}

/** `model` as one flat functional graph (JSON) and its layers by name (nested models' included). Does not change `model`. */
export function flatGraph(model: tf.LayersModel): { topology: GraphJson; layerOf: LayerOf } {
  if (model.inputs.length !== 1) throw new ModelLoadError(`the model has ${model.inputs.length} inputs; Deep Dream needs one image input`);
  const graph = tf.model({ inputs: model.inputs, outputs: model.outputs, name: model.name });
  const topology = graph.toJSON(null, false) as unknown as GraphJson;
  const index = layerIndex(model);
  inlineNested(topology);
  const layerOf: LayerOf = (name) => {
    const l = index.get(name);
    if (!l) throw new ModelLoadError(`the model has no layer named ${name}`);
    return l;
  };
  return { topology, layerOf };
}

/** A nested model's own layers with the refs to its input named `feed`, and the ref of its output; null if it cannot be inlined. */
function innerGraph(nested: LayerJson, feed: string): { layers: LayerJson[]; output: NodeRef } | null {
  const config = nested.config as { layers?: (LayerJson & { name?: string })[]; input_layers?: [string, number, number][]; output_layers?: [string, number, number][] };
  const inner = config.layers ?? [];
  if (nested.class_name === 'Sequential') {
    const layers: LayerJson[] = [];
    let previous = feed;
    for (const l of inner) {
      if (l.class_name === 'InputLayer') continue;
      const name = String(l.config.name);
      const { batch_input_shape: _shape, ...rest } = l.config;
      layers.push({ name, class_name: l.class_name, config: rest, inbound_nodes: [[[previous, 0, 0, {}]]] });
      previous = name;
    }
    return layers.length > 0 ? { layers, output: [previous, 0, 0, {}] } : null;
  }
  if (config.input_layers?.length !== 1 || config.output_layers?.length !== 1) return null;
  const inputName = config.input_layers[0]![0];
  const layers = inner
    .filter((l) => l.name !== inputName)
    .map((l) => ({ ...l, inbound_nodes: l.inbound_nodes.map((node) => node.map((r) => (r[0] === inputName ? [feed, 0, 0, r[3]] : r) as NodeRef)) }));
  const [out, node, tensor] = config.output_layers[0]!;
  return { layers, output: [out, node, tensor, {}] };
}

/** Replaces, in place, each nested model of `topology` (recursively) by its layers where that is possible. */
function inlineNested(topology: GraphJson): void {
  const skipped = new Set<string>();
  for (;;) {
    const layers = topology.config.layers;
    const i = layers.findIndex((l) => CONTAINERS.includes(l.class_name) && !skipped.has(l.name));
    if (i < 0) return;
    const nested = layers[i]!;
    const feedRef = nested.inbound_nodes.length === 1 && nested.inbound_nodes[0]!.length === 1 ? nested.inbound_nodes[0]![0]! : null;
    const inner = feedRef ? innerGraph(nested, feedRef[0]) : null;
    const taken = new Set(layers.map((l) => l.name));
    if (!feedRef || !inner || inner.layers.some((l) => taken.has(l.name))) {
      skipped.add(nested.name);
      continue;
    }
    // The feed keeps its own node and tensor index.
    for (const l of inner.layers) {
      l.inbound_nodes = l.inbound_nodes.map((node) => node.map((r) => (r[0] === feedRef[0] && r[1] === 0 && r[2] === 0 ? [feedRef[0], feedRef[1], feedRef[2], r[3]] : r) as NodeRef));
    }
    const redirect = (r: NodeRef): NodeRef => (r[0] === nested.name ? [inner.output[0], inner.output[1], inner.output[2], r[3]] : r);
    for (const l of layers) l.inbound_nodes = l.inbound_nodes.map((node) => node.map(redirect));
    topology.config.output_layers = topology.config.output_layers.map((r) => (r[0] === nested.name ? [inner.output[0], inner.output[1], inner.output[2]] : r));
    layers.splice(i, 1, ...inner.layers);
  }
}
