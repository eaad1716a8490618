/**
 * What a compute worker reports about itself for soak tests and benchmarks:
 * tfjs's memory counters on its backend and how long its model took to load.
 * Plain data; the same shape for every worker.
 */
import * as tf from '@tensorflow/tfjs';

export interface WorkerMemory {
  /** tf.memory() in the worker: live tensors, and bytes they hold on the backend. */
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
  /** The backend tfjs runs on in that worker ('' before one started). */
  backend: string;
  /** Wall time (ms) of the last successful model load in the worker (download + parse + weight upload); null before one. */
  modelLoadMs: number | null;
}

/**
 * tf.memory() of this thread plus the given model load time. Before a backend
 * has started (or while one is starting) it reports zeros rather than letting
 * tf.memory() start the default backend.
 */
export function workerMemory(modelLoadMs: number | null): WorkerMemory {
  const backend = (tf.getBackend() as string | undefined) ?? '';
  if (!backend) return { numTensors: 0, numBytes: 0, numDataBuffers: 0, backend, modelLoadMs };
  try {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, numDataBuffers: m.numDataBuffers, backend, modelLoadMs };
  } catch {
    return { numTensors: 0, numBytes: 0, numDataBuffers: 0, backend: '', modelLoadMs };
  }
}

/** Calls `load` and reports its wall time to `onLoaded` when it succeeds. */
export async function timedLoad<T>(load: () => Promise<T>, onLoaded: (ms: number) => void): Promise<T> {
  const t0 = performance.now();
  const value = await load();
  onLoaded(performance.now() - t0);
  return value;
}
