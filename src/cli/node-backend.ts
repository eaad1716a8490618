/**
 * The tfjs backend for Node entry points (command line, experiments,
 * benchmarks): the pure-JS CPU backend, or WASM, which finds its .wasm
 * files in node_modules by itself.
 */
import * as tf from '@tensorflow/tfjs';

export type NodeBackend = 'cpu' | 'wasm';

export async function useNodeBackend(name: NodeBackend): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend could not start`);
  await tf.ready();
}
